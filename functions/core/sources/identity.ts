import { createHash } from 'node:crypto';
import { hashText } from '../articles/parse.ts';
import { canonicalUrl } from './urls.ts';

/**
 * The identities an item is remembered by: its GUID (unique within its source only), its
 * canonical URL and its text hash (the same as the pipeline's article hash). Any one known means
 * the item was handled.
 */
const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
export const guidKey = (sourceId: string, guid: string) => `g:${sourceId}:${sha(guid)}`;
export const urlKeyOf = (url: string) => `u:${sha(canonicalUrl(url))}`;
export const textKey = (paragraphs: string[]) => `t:${hashText(paragraphs.join('\n\n'))}`;
