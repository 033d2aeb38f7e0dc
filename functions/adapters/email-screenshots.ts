import { writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { errorMessage } from '../core/errors.ts';
import { type ChromiumExecutable, launchChromium } from './browser.ts';

/** The email in a real browser: layout measures and PNG screenshots for `digest preview` and the tests. */

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

/**
 * A full-page PNG. Chromium now and then refuses the first capture after a cold start ("Unable to
 * capture screenshot") and takes the same picture when asked again (seen here once in ≈200 launches;
 * robotframework-browser#5237 reports the same): ask once more for that error only.
 */
async function capture(page: Page): Promise<Buffer> {
  try {
    return await page.screenshot({ fullPage: true, type: 'png' });
  } catch (error) {
    if (!errorMessage(error).includes('Unable to capture screenshot')) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
    return page.screenshot({ fullPage: true, type: 'png' });
  }
}

/** Full-page PNG screenshots of the email at each view (by default desktop 600 px, phone 375 px). */
export async function screenshotEmail(
  html: string,
  shots: { file: string; view: EmailView }[],
  options: { executable?: ChromiumExecutable } = {},
): Promise<Screenshot[]> {
  const browser = await launchChromium(options.executable);
  try {
    const results: Screenshot[] = [];
    for (const shot of shots) {
      const page = await openEmail(browser, html, shot.view);
      const layout = await measure(page);
      await writeFile(shot.file, await capture(page));
      await page.close();
      results.push({ file: shot.file, ...shot.view, ...layout });
    }
    return results;
  } finally {
    await browser.close();
  }
}
