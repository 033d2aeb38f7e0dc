import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Arguments and files a stranger can talk an operator into: every one ends in a clear message and a
 * non-zero exit, never a stack trace or a hang, and nothing is built or stored.
 */
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
const saved: Record<string, string | undefined> = {};

const BOMB = [
  '---',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'title: *g',
  '---',
  'The council met on Tuesday and approved the harbour budget.',
].join('\n');

beforeAll(async () => {
  ws = await tempWorkspace();
  for (const [key, value] of Object.entries(ws.env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  await writeFile(join(ws.root, 'bomb.md'), BOMB);
  await writeFile(join(ws.root, 'huge.txt'), 'The harbour reopened. '.repeat(Math.ceil(3_000_000 / 22)));
  await writeFile(
    join(ws.root, 'escape.md'),
    '---\ntitle: "Harbour \\e]0;pwned\\a news \\e[31mred\\e[0m"\n---\nThe harbour reopened on Tuesday after repairs, officials said.\n',
  );
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await ws?.cleanup();
});

const noTrace = (text: string) => expect(text).not.toMatch(/unexpected error|\n\s+at .+:\d+:\d+/);

describe('send --issue is checked before anything is built', () => {
  it.each([
    ['empty', '', /--issue needs an issue id/],
    ['2,100 characters', 'x'.repeat(2100), /--issue is 2100 characters long; an issue id is at most 26/],
    ['the wrong form', 'latest', /--issue "latest" is not an issue id/],
  ])('%s: usage error, exit 2, no data folder created', async (_what, value, message) => {
    const r = await cli('send', '--issue', value);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: digest send/);
    noTrace(r.stderr);
    expect(existsSync(ws.config.DIGEST_DATA_DIR)).toBe(false);
    expect(existsSync(ws.config.DIGEST_OUT_DIR)).toBe(false);
  });

  it('preview --issue the same', async () => {
    const r = await cli('preview', '--issue', '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--issue needs an issue id/);
    expect(existsSync(ws.config.DIGEST_DATA_DIR)).toBe(false);
  });
});

describe('summarize reads a bounded, regular file', () => {
  it('refuses /dev/zero as not a regular file', async () => {
    const r = await cli('summarize', '/dev/zero');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('digest: /dev/zero: cannot read: is a character device, not a regular file\n');
  });

  it('refuses a 3 MB article by its size and the limit, at once', async () => {
    const r = await cli('summarize', join(ws.root, 'huge.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/huge\.txt: too large: the article is 2\.9 MiB, over the 1 MiB limit/);
    noTrace(r.stderr);
  }, 10_000);

  it('reports a YAML alias bomb cleanly', async () => {
    const r = await cli('summarize', join(ws.root, 'bomb.md'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'digest: bomb.md:2: broken front matter: aliases (*name) are not allowed in front matter\n',
    );
  }, 10_000);

  it('prints a title with terminal escapes as plain text', async () => {
    const r = await cli('summarize', join(ws.root, 'escape.md'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Harbour ]0;pwned news [31mred[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(r.stdout + r.stderr).not.toMatch(/[\u0007\u001b\u009b]/);
  });
});

describe('articles add refuses what it cannot use, and the articles folder stays as it was', () => {
  it.each([
    ['/dev/zero', () => '/dev/zero', /cannot read: is a character device, not a regular file/],
    ['a YAML alias bomb', () => join(ws.root, 'bomb.md'), /aliases \(\*name\) are not allowed/],
    [
      'a 3 MB article',
      () => join(ws.root, 'huge.txt'),
      /too large: the article is 2\.9 MiB, over the 1 MiB limit/,
    ],
  ])(
    '%s',
    async (_what, path, message) => {
      const before = await readdir(ws.seeds);
      const r = await cli('articles', 'add', path(), '--as', 'incoming.md');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      noTrace(r.stderr);
      expect(await readdir(ws.seeds)).toEqual(before);
    },
    20_000,
  );
});

describe('subscribers add refuses addresses an RFC 5321/5322 test list marks as errors', () => {
  it.each([
    ['test@255.255.255.255', /top-level domain "255" is all digits/],
    ['test@iana.org-', /"org-" ends with a hyphen/],
    ['léa@example.com', /must be ASCII \(SES does not accept internationalized local parts\)/],
  ])('%s', async (address, message) => {
    const r = await cli('subscribers', 'add', address);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
