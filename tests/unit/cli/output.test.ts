import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../../functions/cli/output.ts';
import { REPO } from '../../helpers/workspace.ts';

describe('terminal output', () => {
  it.each([
    ['a title that sets the window title', 'News\u001b]0;pwned\u0007 today', 'News]0;pwned today'],
    ['colour and cursor sequences (CSI)', '\u001b[31mred\u001b[0m \u001b[2J', '[31mred[0m [2J'],
    ['the C1 form of CSI', 'a\u009b31mb', 'a31mb'],
    ['a carriage return that overwrites the line', 'Sent 0\rSent 1000', 'Sent 0Sent 1000'],
    ['bell, backspace, NUL and DEL', 'a\u0007b\u0008c\u0000d\u007f', 'abcd'],
    ['a right-to-left override', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
  ])('strips %s', (_what, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('keeps newlines, tabs and every printable character', () => {
    const text = 'line one\n\tindented “quoted” — Zhenhua 解振华 🚀';
    expect(terminalSafe(text)).toBe(text);
  });

  it('no CLI module writes to the terminal except through output.ts', async () => {
    const dir = join(REPO, 'functions', 'cli');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      if (file === 'output.ts') continue;
      const source = await readFile(join(dir, file), 'utf8');
      if (/process\.(stdout|stderr)\.write|console\.(log|error|warn|info)/.test(source)) {
        offenders.push(relative(REPO, join(dir, file)));
      }
    }
    expect(offenders).toEqual([]);
  });
});
