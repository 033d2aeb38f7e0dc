import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { articleFilesInDir } from '../../functions/adapters/article-files.ts';
import {
  BrowserError,
  launchChromium,
  resolveChromium,
  SYSTEM_CHROMIUM,
} from '../../functions/adapters/browser.ts';
import { measure, openEmail } from '../../functions/adapters/email-screenshots.ts';
import { loadTemplatesFromDir } from '../../functions/adapters/template-files.ts';
import { runCli } from '../../functions/cli/main.ts';
import { loadArticles } from '../../functions/core/articles/load.ts';
import { digestView, summarizeArticles } from '../../functions/core/issue/build.ts';
import { type Brand, compileIssue, type DigestView } from '../../functions/core/render/compile.ts';
import { personalize } from '../../functions/core/render/personalize.ts';
import { SEEDS, TEMPLATES, tempWorkspace } from '../helpers/workspace.ts';

const brand: Brand = {
  name: 'The Weekly Digest',
  color: '#1a56db',
  postalAddress: 'Example Media, 1 Example Street, Springfield, USA',
  lang: 'en',
  publicUrl: 'https://digest.example.com',
};

/** The seed article plus one written to break phone layouts: unbroken long words and URLs. */
async function stressHtml(): Promise<string> {
  const loaded = await loadArticles(await articleFilesInDir(SEEDS));
  const seed = summarizeArticles(loaded.articles).articles.map((a) => a.summary);
  const longWord = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt';
  const view: DigestView = digestView('2026-01-05-phone', new Date('2026-01-05T06:00:00Z'), brand, [
    ...seed,
    {
      title: `${longWord} announces a very long headline`,
      url: `https://news.example.net/${'a'.repeat(120)}?utm=${'b'.repeat(60)}`,
      source: `Source-${longWord}`,
      published: '2026-01-04',
      keyPoints: [`See https://example.org/${'path/'.repeat(30)} for ${longWord}.`],
      quotes: [{ text: `We said ${longWord}`, speaker: 'Ana Ruiz', role: `head of ${longWord}` }],
    },
  ]);
  const compiled = await compileIssue(await loadTemplatesFromDir(TEMPLATES), view, brand);
  return personalize(compiled, {
    email: `a.very.long.address.${'x'.repeat(50)}@subdomain.example.org`,
    unsubscribeUrl: `https://digest.example.com/unsubscribe?token=${'t'.repeat(160)}`,
  }).html;
}

/** Which browser the one launcher picks; every browser test launches through it. */
describe('the Chromium launcher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digest-browser-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const script = async (name: string, body: string, mode = 0o755) => {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, mode);
    return path;
  };

  it('without CHROMIUM_PATH: the system Chromium when installed, else the npm package, unpacked once', async () => {
    const system = await stat(SYSTEM_CHROMIUM).then(
      (s) => s.isFile() && (s.mode & 0o111) !== 0,
      () => false,
    );
    // Asked at once, as parallel launches would: one unpack, one path.
    const found = await Promise.all([resolveChromium({}), resolveChromium({}), resolveChromium({})]);
    for (const f of found) expect(f).toEqual(found[0]);
    if (system) expect(found[0]).toEqual({ path: SYSTEM_CHROMIUM, source: 'system' });
    else {
      expect(found[0]?.source).toBe('npm');
      expect(found[0]?.path).toMatch(/\/newsletter-digest-chromium-\d+\.\d+\.\d+-\d+\/chromium$/);
      expect(((await stat(found[0]?.path ?? '')).mode & 0o111) !== 0).toBe(true);
    }
  });

  it('CHROMIUM_PATH comes first, and launches that browser', async () => {
    const real = await resolveChromium({});
    const wrapper = await script('my-chromium', `exec '${real.path}' "$@"`);
    expect(await resolveChromium({ CHROMIUM_PATH: wrapper })).toEqual({
      path: wrapper,
      source: 'CHROMIUM_PATH',
    });
    const browser = await launchChromium({ path: wrapper, source: 'CHROMIUM_PATH' });
    try {
      expect(browser.version()).toMatch(/^\d+\./);
    } finally {
      await browser.close();
    }
  });

  it('a CHROMIUM_PATH that is missing, a folder or not executable is an error naming it', async () => {
    const plain = await script('not-executable', 'exit 0', 0o644);
    for (const path of [join(dir, 'missing'), dir, plain]) {
      await expect(resolveChromium({ CHROMIUM_PATH: path })).rejects.toThrow(
        new BrowserError(`CHROMIUM_PATH=${path} is not an executable file`),
      );
    }
  });

  it('a browser that does not start is an error naming the executable and its output', async () => {
    const broken = await script(
      'broken-chromium',
      'echo "libnss3.so: cannot open shared object file" >&2; exit 127',
    );
    const error = await launchChromium({ path: broken, source: 'CHROMIUM_PATH' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserError);
    expect((error as Error).message).toContain(`could not start Chromium (CHROMIUM_PATH: ${broken})`);
    expect((error as Error).message).toContain('libnss3.so: cannot open shared object file');
  });
});

describe('the email in Chromium', () => {
  let browser: Browser;
  let html: string;
  const pages: Page[] = [];
  const open = async (width: number, colorScheme: 'light' | 'dark' = 'light') => {
    const page = await openEmail(browser, html, { width, colorScheme });
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    html = await stressHtml();
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const page of pages) await page.close().catch(() => {});
    await browser?.close();
  });

  it('nothing overflows horizontally at 375 px, and the content is one full-width column', async () => {
    const page = await open(375);
    const layout = await measure(page);
    expect(layout.viewportWidth).toBe(375);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.viewportWidth);
    // Every column spans the card: one column, nothing side by side.
    const columns = (await page.evaluate(`[...document.querySelectorAll('[class*="mj-column-per"]')]
      .map((el) => Math.round(el.getBoundingClientRect().width))`)) as number[];
    expect(columns.length).toBeGreaterThan(3);
    for (const width of columns) expect(width).toBe(375);
    // No element sticks out to the right either (overflow hidden by a parent would hide it from scrollWidth).
    const widest = (await page.evaluate(`Math.max(...[...document.body.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => el.getBoundingClientRect().right))`)) as number;
    expect(widest).toBeLessThanOrEqual(375.5);
  });

  it('renders at 600 px as a 600 px card with the header, quote and footer visible', async () => {
    const page = await open(600);
    const layout = await measure(page);
    expect(layout.scrollWidth).toBeLessThanOrEqual(600);
    expect(layout.height).toBeGreaterThan(800);
    const card = (await page.evaluate(
      `document.querySelector('.digest-card').getBoundingClientRect().width`,
    )) as number;
    expect(card).toBe(600);
    for (const text of ['View in browser', 'The Weekly Digest', 'Xie Zhenhua', brand.postalAddress]) {
      expect(await page.getByText(text, { exact: false }).first().isVisible()).toBe(true);
    }
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('switches to dark colours when the reader prefers a dark scheme', async () => {
    const colours = async (scheme: 'light' | 'dark') => {
      const page = await open(375, scheme);
      return (await page.evaluate(`(() => {
        const card = document.querySelector('.digest-card');
        const point = card.querySelector('li');
        return { card: getComputedStyle(card).backgroundColor, text: getComputedStyle(point).color,
                 page: getComputedStyle(document.body).backgroundColor };
      })()`)) as { card: string; text: string; page: string };
    };
    const light = await colours('light');
    const dark = await colours('dark');
    const brightness = (rgb: string) => {
      const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
      return (r + g + b) / 3;
    };
    expect(brightness(light.card)).toBeGreaterThan(200);
    expect(brightness(light.text)).toBeLessThan(80);
    expect(brightness(dark.card)).toBeLessThan(60);
    expect(brightness(dark.page)).toBeLessThan(60);
    expect(brightness(dark.text)).toBeGreaterThan(180);
  });
});

/** `digest preview` through the CLI entry, in process, on a throwaway workspace. */
describe('digest preview', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    ws = await tempWorkspace();
    for (const [key, value] of Object.entries(ws.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await ws?.cleanup();
  });

  async function preview(dir: string) {
    let stdout = '';
    let stderr = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      return { code: await runCli(['preview', '--out', dir]), stdout, stderr };
    } finally {
      spy.mockRestore();
      quiet.mockRestore();
    }
  }

  it('writes html, text and PNG screenshots at 600 and 375 px, and prints the size', async () => {
    const dir = join(ws.root, 'preview');
    const r = await preview(dir);
    expect(r.code).toBe(0);
    const size =
      /HTML: .*preview\.html \((\d+\.\d) KB compiled; under Gmail's 102\.0 KB clipping limit\)/.exec(
        r.stdout,
      );
    expect(size, r.stdout).not.toBeNull();
    expect(Number(size?.[1])).toBeLessThan(102);
    expect(await readFile(join(dir, 'preview.html'), 'utf8')).toContain('Xie Zhenhua');
    expect(await readFile(join(dir, 'preview.txt'), 'utf8')).toContain('Xie Zhenhua, China’s climate envoy');
    for (const name of ['preview-600.png', 'preview-375.png', 'preview-375-dark.png']) {
      const png = await readFile(join(dir, name));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // PNG IHDR: the width is the viewport width.
      expect(png.readUInt32BE(16)).toBe(name.includes('600') ? 600 : 375);
      expect(r.stdout).toContain(name);
    }
    expect(r.stdout).not.toContain('OVERFLOWS');
  });

  it('with a browser that is not there, still writes html and text, then fails naming it', async () => {
    const dir = join(ws.root, 'preview-no-browser');
    const missing = join(ws.root, 'no-such-chromium');
    process.env.CHROMIUM_PATH = missing;
    try {
      const r = await preview(dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`digest: CHROMIUM_PATH=${missing} is not an executable file\n`);
      expect((await stat(join(dir, 'preview.html'))).size).toBeGreaterThan(5_000);
      expect((await stat(join(dir, 'preview.txt'))).size).toBeGreaterThan(500);
      await expect(stat(join(dir, 'preview-375.png'))).rejects.toThrow();
    } finally {
      delete process.env.CHROMIUM_PATH;
    }
  });
});
