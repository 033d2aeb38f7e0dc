import { access, constants, writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';

/** Debian's `chromium` package; CHROMIUM_PATH overrides it. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Headless, and nothing that phones home: the email is rendered from a string, offline.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** The Chromium executable when it is installed, else undefined. */
export async function findChromium(): Promise<string | undefined> {
  const path = chromiumPath();
  try {
    await access(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export async function launchChromium(executablePath?: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: executablePath ?? chromiumPath(), args: CHROMIUM_ARGS });
}

export interface EmailView {
  width: number;
  colorScheme: 'light' | 'dark';
}

export interface Layout {
  /** Widest content box: more than `viewportWidth` means the page scrolls sideways. */
  scrollWidth: number;
  viewportWidth: number;
  height: number;
}

/** Opens the email HTML in a page of the given width; every network request is refused. */
export async function openEmail(browser: Browser, html: string, view: EmailView): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: view.width, height: 800 },
    colorScheme: view.colorScheme,
    javaScriptEnabled: true,
  });
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

export async function measure(page: Page): Promise<Layout> {
  // A string expression: this runs in the page, and the project's types have no DOM library.
  return (await page.evaluate(`({
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    height: document.documentElement.scrollHeight,
  })`)) as Layout;
}

export interface Screenshot extends EmailView, Layout {
  file: string;
}

/** Full-page PNG screenshots of the email at each view (by default desktop 600 px, phone 375 px). */
export async function screenshotEmail(
  html: string,
  shots: { file: string; view: EmailView }[],
  options: { executablePath?: string } = {},
): Promise<Screenshot[]> {
  const browser = await launchChromium(options.executablePath);
  try {
    const results: Screenshot[] = [];
    for (const shot of shots) {
      const page = await openEmail(browser, html, shot.view);
      const layout = await measure(page);
      await writeFile(shot.file, await page.screenshot({ fullPage: true, type: 'png' }));
      await page.close();
      results.push({ file: shot.file, ...shot.view, ...layout });
    }
    return results;
  } finally {
    await browser.close();
  }
}
