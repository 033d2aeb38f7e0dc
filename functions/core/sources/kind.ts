import { SourceError } from './errors.ts';
import type { SourceKind } from './ports.ts';

/**
 * What a response is, from its content type and its first bytes (never from the URL: a
 * `/feed` may be a page and a `.html` may be a feed). A type that can be neither a feed nor a
 * page (images, archives, binaries) is refused before looking at the body.
 */

const TEXTUAL =
  /^(text\/[a-z.+-]+|application\/(rss\+xml|atom\+xml|rdf\+xml|xml|xhtml\+xml|feed\+json|json))$/;

export function detectKind(contentType: string, body: string): SourceKind {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && !TEXTUAL.test(type)) {
    throw new SourceError('content-type', `wrong content type ${type}: not a feed or a web page`);
  }
  const head = body
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 4096);
  if (head.startsWith('{')) {
    if (/"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\/1(\.1)?"/.test(body.slice(0, 65_536)))
      return 'jsonfeed';
    throw new SourceError('not-a-feed', 'JSON that is not a JSON Feed (no jsonfeed.org version)');
  }
  // Skip the XML prolog, comments, processing instructions and a doctype to the root element.
  const root =
    /^(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>\s*)*<([A-Za-z_][\w:.-]*)([^>]*)>/i.exec(
      head,
    );
  const name = root?.[1]?.toLowerCase();
  const attrs = root?.[2] ?? '';
  if (name === 'rss') return 'rss';
  if (name === 'rdf:rdf' || (name?.endsWith(':rdf') && /purl\.org\/rss\/1\.0/.test(head))) return 'rdf';
  if (name === 'feed' && (/w3\.org\/2005\/Atom/.test(attrs) || type === 'application/atom+xml'))
    return 'atom';
  if (
    name === 'html' ||
    /^<!doctype html/i.test(head) ||
    (type === 'text/html' && /<(body|p|div)\b/i.test(head))
  )
    return 'html';
  if (name) throw new SourceError('not-a-feed', `XML whose root <${root?.[1]}> is not RSS, RDF or Atom`);
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  throw new SourceError('not-a-feed', `neither a feed nor a web page (${type || 'no content type'})`);
}
