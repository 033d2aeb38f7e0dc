import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.ts';
import { REPO, SEEDS } from '../../helpers/workspace.ts';

const exec = promisify(execFile);
const SEED = join(SEEDS, '000_c2d1d5eb466be413.txt');

describe('digest CLI: arguments', () => {
  it('shows usage and exits 2 without a command', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/summarize|send/);
  });

  it('names an unknown command', async () => {
    const r = await cli('sned');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "sned"/);
  });

  it('names an unknown option with a usage line', async () => {
    const r = await cli('summarize', SEED, '--jsn');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --jsn/);
    expect(r.stderr).toMatch(/usage: digest summarize <file> \[--json\]/);
  });

  it('asks for the file to summarize', async () => {
    const r = await cli('summarize');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing the article file/);
  });

  it('names a missing file', async () => {
    const r = await cli('summarize', 'no/such/article.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no\/such\/article\.txt: cannot read: no such file/);
  });

  it('names a folder given as a file', async () => {
    const r = await cli('summarize', SEEDS);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a folder/);
  });

  it('names an empty and a binary article', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-'));
    await writeFile(join(dir, 'empty.txt'), '');
    await writeFile(join(dir, 'image.txt'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]));
    const empty = await cli('summarize', join(dir, 'empty.txt'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty\.txt: empty file/);
    const binary = await cli('summarize', join(dir, 'image.txt'));
    expect(binary.code).toBe(1);
    expect(binary.stderr).toMatch(/image\.txt: binary file/);
  });

  it('rejects a bad --to address before touching anything', async () => {
    const r = await cli('send', '--to', 'not-an-address');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--to: email address must contain exactly one @/);
  });

  it('rejects an invalid subscriber address', async () => {
    const r = await cli('subscribers', 'add', 'a@b@c');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one @/);
  });

  it('summarizes the seed article in human form', async () => {
    const r = await cli('summarize', SEED);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Xie Zhenhua/);
  });
});

describe('digest CLI: configuration', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.DIGEST_FROM_ADDRESS = 'not an address';
    process.env.DIGEST_SEND_RATE = 'fast';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails with every bad variable named', async () => {
    const r = await cli('send', '--dry-run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid configuration/);
    expect(r.stderr).toMatch(/DIGEST_FROM_ADDRESS/);
    expect(r.stderr).toMatch(/DIGEST_SEND_RATE/);
  });
});

describe('digest CLI: the bin, as a separate process', () => {
  it('summarize --json prints exactly the contract and nothing else on stdout', async () => {
    const { stdout } = await exec(
      process.execPath,
      [join(REPO, 'bin', 'digest.mjs'), 'summarize', SEED, '--json'],
      {
        cwd: REPO,
      },
    );
    const parsed = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['keyPoints', 'quotes', 'title']);
    expect(typeof parsed.title).toBe('string');
    expect(Array.isArray(parsed.keyPoints)).toBe(true);
    const quotes = parsed.quotes as Record<string, unknown>[];
    for (const q of quotes) expect(Object.keys(q).sort()).toEqual(['role', 'speaker', 'text']);
    expect(quotes.some((q) => q.speaker === 'Xie Zhenhua')).toBe(true);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('exits non-zero for a missing file', async () => {
    await expect(
      exec(process.execPath, [join(REPO, 'bin', 'digest.mjs'), 'summarize', 'missing.txt'], { cwd: REPO }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/missing\.txt/) });
  });
});
