import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { cleanLine } from './clean-text.ts';

/**
 * An extracted story as an article file, exactly like a seed: YAML front matter (`title`, `url`,
 * `source`, `published`, plus `fetched`, and `section` / `also` when there are any), then the
 * paragraphs separated by blank lines. The YAML library quotes every value, so nothing in a
 * title can open a new key or close the front matter.
 */
export interface ExtractedStory {
  title: string;
  url: string;
  source: string;
  section?: string | undefined;
  published?: string | undefined;
  fetched: string;
  /** The same story at other sources ("also at …"). */
  also?: { source: string; url: string }[] | undefined;
  paragraphs: string[];
  /** The identity the file name is derived from (canonical URL or source + GUID). */
  identity: string;
}

export function slug(text: string, max = 60): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/g, '') || 'story';
}

/**
 * A file name that is safe on every filesystem and as an S3 key: date, ASCII slug, and a hash of
 * the identity, so two runs racing on the same story pick the same name (and only one writes it).
 */
export function articleFileName(
  story: Pick<ExtractedStory, 'title' | 'identity' | 'published' | 'fetched'>,
): string {
  const date = (story.published ?? story.fetched).slice(0, 10).replace(/[^0-9-]/g, '') || 'undated';
  const hash = createHash('sha256').update(story.identity).digest('hex').slice(0, 10);
  return `${date}-${slug(story.title)}-${hash}.md`;
}

export function articleFileText(story: ExtractedStory): string {
  const meta: Record<string, unknown> = {
    title: cleanLine(story.title),
    url: story.url,
    source: cleanLine(story.source, 120),
  };
  if (story.section) meta.section = cleanLine(story.section, 60);
  if (story.published) meta.published = story.published;
  meta.fetched = story.fetched;
  // At most 5 "also at" links: with URLs of up to 2 KB each the front matter stays well under the
  // pipeline's 16 KB front-matter limit.
  if (story.also && story.also.length > 0)
    meta.also = story.also.slice(0, 5).map((a) => ({ source: cleanLine(a.source, 120), url: a.url }));
  const yaml = stringify(meta, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
  return `---\n${yaml}---\n\n${story.paragraphs.join('\n\n')}\n`;
}
