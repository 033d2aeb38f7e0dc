/**
 * Split quotes (“A,” she said. “B.”) are one quote when only an attribution stands between the pieces;
 * the pieces are joined into the displayed text.
 */
import { tokenize } from '../tokens.ts';
import { attributionAfter } from './phrases.ts';
import { endsOpen, type Scene, sentenceAt, tokensAfter } from './scene.ts';
import type { Part, Span } from './spans.ts';

export interface Group {
  spans: Span[];
  /** How each span joins the previous one: 'continue' keeps a comma, 'sentence' starts a new sentence. */
  joins: Array<'continue' | 'sentence'>;
}

export function groupSplitQuotes(scene: Scene): Group[] {
  const { body, spans } = scene;
  const groups: Group[] = [];
  for (const span of spans) {
    const prev = groups[groups.length - 1];
    const prevSpan = prev?.spans[prev.spans.length - 1];
    if (prev && prevSpan?.closed && prevSpan.lastParagraph === span.paragraph && endsOpen(body, prevSpan)) {
      const between = body.slice(prevSpan.close, span.open);
      const own = endsOpen(body, span) ? attributionAfter(tokensAfter(scene, span)) : null;
      const betweenTokens = tokenize(body, prevSpan.close, span.open);
      // Only an attribution between the pieces: the second piece goes on in the same sentence, or opens
      // the next one ("Gilmore said. Fiorina, speaking to Iowans, said, “…”" is two speakers).
      const s1 = sentenceAt(scene.sentences, prevSpan.close - 1);
      const s2 = sentenceAt(scene.sentences, span.open);
      const adjacent = !!s1 && !!s2 && (s1 === s2 || (s2.index === s1.index + 1 && s2.start >= span.open));
      if (adjacent && between.length <= 300 && !own && attributionAfter(betweenTokens)) {
        prev.spans.push(span);
        // “A,” he said, “b” goes on; “A,” he said. “B.” and “A,” he said, adding, “B.” are two sentences.
        const goesOn =
          /,\s*$/.test(between) && !/\b(?:adding|adds|added|continuing|continued)\b/.test(between);
        prev.joins.push(goesOn ? 'continue' : 'sentence');
        continue;
      }
    }
    groups.push({ spans: [span], joins: ['sentence'] });
  }
  return groups;
}

function partText(body: string, part: Part): string {
  return body.slice(part.start, part.end).replace(/\s+/g, ' ').trim();
}

/** Joins the pieces of a quote into its displayed text. */
export function assemble(body: string, group: Group): string[] {
  const pieces: string[] = [];
  group.spans.forEach((span, si) => {
    span.parts.forEach((part, pi) => {
      let text = partText(body, part);
      if (!text) return;
      const prevIndex = pieces.length - 1;
      const prev = pieces[prevIndex];
      if (prev !== undefined && si > 0 && pi === 0) {
        const join = group.joins[si] ?? 'sentence';
        if (join === 'sentence' && /,$/.test(prev) && /^[\p{Lu}\d]/u.test(text)) {
          pieces[prevIndex] = prev.replace(/,$/, '.');
        }
      }
      text = text.replace(/\s+/g, ' ');
      pieces.push(text);
    });
  });
  return pieces;
}
