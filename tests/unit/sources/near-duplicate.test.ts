import { describe, expect, it } from 'vitest';
import { htmlToParagraphs } from '../../../functions/core/sources/html-text.ts';
import {
  decodeFingerprint,
  encodeFingerprint,
  fingerprint,
  SAME_STORY,
  StoryIndex,
  similarity,
} from '../../../functions/core/sources/near-duplicate.ts';
import { extractReadable } from '../../../functions/core/sources/readable.ts';
import { fixtureText, renderFixture } from '../../helpers/publisher.ts';

const page = (name: string) =>
  (extractReadable(fixtureText(`pages/${name}.html`), `http://news.example/${name}`)?.paragraphs ?? []).join(
    '\n',
  );
const gazette = renderFixture('feeds/island-gazette.rss.xml');
const gazetteItem = (n: number) =>
  htmlToParagraphs(gazette.split('<content:encoded><![CDATA[')[n]?.split(']]>')[0] ?? '').join('\n');

describe('near-duplicate stories (shingles + MinHash + LSH)', () => {
  it('sees the same story told by two sources with different wording around it', () => {
    const courier = fingerprint(page('wind-farm'));
    const island = fingerprint(gazetteItem(1));
    expect(similarity(courier, island).containment).toBeGreaterThan(SAME_STORY);
  });

  it('does not merge two different stories on the same topic (wind farms, the same week)', () => {
    const skerrow = fingerprint(page('wind-farm'));
    const hallam = fingerprint(page('hallam-point'));
    expect(similarity(skerrow, hallam).containment).toBeLessThan(0.2);
  });

  it('has no false positives across every pair of distinct fixture stories', () => {
    const names = [
      'tram-extension',
      'bakery-award',
      'night-clinic',
      'wind-farm',
      'hallam-point',
      'election-turnout',
      'ferry-winter',
    ];
    const prints = names.map((n) => fingerprint(page(n)));
    for (let i = 0; i < prints.length; i++) {
      for (let j = i + 1; j < prints.length; j++) {
        const a = prints[i] as ReturnType<typeof fingerprint>;
        const b = prints[j] as ReturnType<typeof fingerprint>;
        expect(similarity(a, b).containment, `${names[i]} vs ${names[j]}`).toBeLessThan(SAME_STORY / 2);
      }
    }
  });

  it('an index returns the earlier story for a duplicate and keeps distinct ones', () => {
    const index = new StoryIndex<string>();
    expect(index.add(fingerprint(page('wind-farm')), 'courier')).toBeUndefined();
    expect(index.add(fingerprint(page('hallam-point')), 'hallam')).toBeUndefined();
    expect(index.add(fingerprint(gazetteItem(1)), 'gazette')).toBe('courier');
    expect(index.add(fingerprint(gazetteItem(2)), 'gazette-hallam')).toBe('hallam');
  });

  it('signatures survive storage unchanged', () => {
    const fp = fingerprint(page('tram-extension'));
    const back = decodeFingerprint(encodeFingerprint(fp));
    expect(back?.size).toBe(fp.size);
    expect(Array.from(back?.signature ?? [])).toEqual(Array.from(fp.signature));
    expect(decodeFingerprint('garbage')).toBeUndefined();
  });
});
