/**
 * Text from a stranger's feed or page, made safe to store and show: no control characters
 * (terminal escapes, NULs), no bidirectional overrides (a title that reads "exe.txt" backwards),
 * whitespace collapsed, and a length cap so one field cannot carry a gigantic payload.
 */

// C0 controls except tab/newline, DEL and C1 controls; bidi embedding/override/isolate marks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const BIDI = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPE_SEQUENCES = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

/** One line of text (titles, names): controls removed, whitespace collapsed, capped. */
export function cleanLine(value: unknown, max = 300): string {
  if (typeof value !== 'string') return '';
  const line = value
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** A paragraph: like a line, without the ellipsis cap (paragraph counts are capped elsewhere). */
export function cleanParagraph(value: string): string {
  return value
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(/\s+/g, ' ')
    .trim();
}
