/**
 * URLs from feeds and pages: only http(s) survives (no `javascript:`, `data:`, `vbscript:`,
 * `file:`), relative links resolve against where they were found, and the canonical form drops
 * what only tracks readers (`utm_*` and friends, fragments) so one story has one URL.
 */

import { createHash } from 'node:crypto';

const TRACKING = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|yclid)$/i;
const MAX_URL = 2048;

/** An absolute http(s) URL, resolved against `base`; undefined for anything else. */
export function httpUrl(value: unknown, base?: string): URL | undefined {
  if (typeof value !== 'string') return undefined;
  // Control characters and whitespace inside a URL are how scheme filters get smuggled past.
  const raw = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (raw === '' || raw.length > MAX_URL || /[\u0000-\u001F\u007F\s]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = base ? new URL(raw, base) : new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url;
}

/** The canonical form of a story URL: no fragment, no tracking parameters, sorted query. */
export function canonicalUrl(url: URL | string): string {
  const u = new URL(url.toString());
  u.hash = '';
  const kept = [...u.searchParams.entries()].filter(([key]) => !TRACKING.test(key));
  kept.sort(([a], [b]) => a.localeCompare(b));
  u.search = '';
  for (const [key, value] of kept) u.searchParams.append(key, value);
  return u.toString();
}

/**
 * The page's own canonical link, when it is http(s) and on the same host as the page: a page
 * may not claim another site's URL (which could make us drop that site's story as "known").
 */
export function acceptCanonical(pageUrl: string, declared: string | null | undefined): string | undefined {
  if (!declared) return undefined;
  const page = new URL(pageUrl);
  const url = httpUrl(declared, pageUrl);
  if (!url || url.hostname !== page.hostname) return undefined;
  return canonicalUrl(url);
}

/** A source's id: the same URL (up to letter case of the host and a fragment) is the same source. */
export function sourceId(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return createHash('sha256').update(u.toString()).digest('hex').slice(0, 16);
}
