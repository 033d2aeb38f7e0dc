/**
 * Bytes → text with the right charset: the Content-Type header's, else a byte-order mark, else
 * the XML prolog's or an HTML <meta> in the first bytes, else UTF-8. What TextDecoder supports
 * (ISO-8859-1, windows-1252, Shift_JIS, …) is decoded; anything else is refused by name, and so
 * is a body that is not valid in its charset (rather than filling the digest with U+FFFD).
 */

export class CharsetError extends Error {
  override name = 'CharsetError';
}

const SNIFF_BYTES = 2048;

export function sniffCharset(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  // The prolog and meta tags are ASCII in every ASCII-compatible charset.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, SNIFF_BYTES));
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/i.exec(head);
  if (xml) return xml[1];
  const meta =
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head) ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset=([A-Za-z0-9._:-]+)/i.exec(head);
  return meta?.[1];
}

export function charsetFromContentType(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1];
}

export function decodeBody(bytes: Uint8Array, contentType: string): { text: string; charset: string } {
  const label = (charsetFromContentType(contentType) ?? sniffCharset(bytes) ?? 'utf-8').trim().toLowerCase();
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new CharsetError(`charset "${label}" is not supported`);
  }
  try {
    return { text: decoder.decode(bytes), charset: decoder.encoding };
  } catch {
    throw new CharsetError(`body is not valid ${decoder.encoding} text`);
  }
}
