/** The one HTML escaping of the project (text and attribute values alike). */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Non-ASCII characters as numeric references: the HTML stays 7-bit, whatever the client's charset. */
export const asciiHtml = (s: string) => s.replace(/[\u0080-\u{10ffff}]/gu, (c) => `&#${c.codePointAt(0)};`);

/**
 * The link, if it is a web link (http or https), else undefined. Everything that puts a URL from
 * data into an `href` goes through this: `javascript:`, `data:`, `vbscript:` and `file:` run code or
 * read local files when clicked, in a mail client or a feed reader.
 */
export function webUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const trimmed = url.trim();
  try {
    const { protocol } = new URL(trimmed);
    return protocol === 'http:' || protocol === 'https:' ? trimmed : undefined;
  } catch {
    return undefined;
  }
}
