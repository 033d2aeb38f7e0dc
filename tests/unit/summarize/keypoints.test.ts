/**
 * Key points: faithful compression (deletions only) and the verifier that enforces it (issue 13,
 * point 3). Sentences and articles are invented for the test.
 */
import { describe, expect, it, vi } from 'vitest';
import { summarize } from '../../../functions/core/summarize/index.ts';
import { compress } from '../../../functions/core/summarize/keypoints/compress.ts';
import {
  isDeletionOf,
  KEY_POINT_REASONS,
  verifyKeyPoints,
} from '../../../functions/core/summarize/keypoints/faithful.ts';
import { keyPoints } from '../../../functions/core/summarize/keypoints.ts';
import { segment } from '../../../functions/core/summarize/sentences.ts';

describe('compression deletes, and only deletes', () => {
  it.each([
    [
      'a dateline',
      'HARLOW (Wire) -- Engineers closed the old bridge to trucks after finding cracked steel.',
      'Engineers closed the old bridge to trucks after finding cracked steel.',
    ],
    [
      'a leading time phrase',
      'On Tuesday, the council approved $412 million to rebuild the bridge.',
      'The council approved $412 million to rebuild the bridge.',
    ],
    [
      'a leading connective',
      'But new soil tests show the west bank can carry the extra load.',
      'New soil tests show the west bank can carry the extra load.',
    ],
    [
      'a trailing attribution',
      'The ferry will run every twenty minutes until the bridge reopens, a council spokeswoman said.',
      'The ferry will run every twenty minutes until the bridge reopens.',
    ],
    [
      'a trailing "according to people familiar with…"',
      'The two ports are close to a deal on shared pilots, according to people familiar with the talks who asked not to be named.',
      'The two ports are close to a deal on shared pilots.',
    ],
    [
      'a non-restrictive relative clause',
      'Judge Helen Marsh, who has led the county court since 2009, retired after 31 years on the bench.',
      'Judge Helen Marsh retired after 31 years on the bench.',
    ],
    [
      'an appositive after a name',
      'Omar Haddad, a spokesman for the port authority, said dredging would start in March.',
      'Omar Haddad said dredging would start in March.',
    ],
    [
      'an aside between dashes',
      'The pier -- which the storm of 1998 also damaged -- will close for a year.',
      'The pier will close for a year.',
    ],
  ])('%s', (_rule, sentence, expected) => {
    const out = compress(sentence).text;
    expect(out).toBe(expected);
    expect(isDeletionOf(out, sentence)).toBe(true);
  });

  it('keeps the attribution of a sentence that quotes someone', () => {
    const sentence = 'The repairs went well and "nothing looked worrying," a hospital spokesman said.';
    expect(compress(sentence).text).toBe(sentence);
  });

  it('leaves a sentence alone when a cut would leave too little', () => {
    expect(compress('Prices rose again, officials said.').text).toBe('Prices rose again, officials said.');
  });

  it('does not take a clause after "said" for an attribution', () => {
    const sentence = 'The mill closed in 2019, and its owner said the site would be sold.';
    expect(compress(sentence).text).toBe(sentence);
  });
});

describe('the compression verifier', () => {
  const source = 'The council approved $412 million on Tuesday to rebuild the Harlow bridge.';

  it('accepts a key point whose words are an in-order subsequence of its sentence', () => {
    expect(isDeletionOf('The council approved $412 million to rebuild the Harlow bridge.', source)).toBe(
      true,
    );
    // Case of the first letter and punctuation between words may change; words may not.
    expect(isDeletionOf('Council approved $412 million to rebuild the bridge', source)).toBe(true);
  });

  it('refuses a key point with an added word', () => {
    expect(isDeletionOf('The council quickly approved $412 million to rebuild the bridge.', source)).toBe(
      false,
    );
  });

  it('refuses a key point with reordered words', () => {
    expect(isDeletionOf('On Tuesday the council approved $412 million to rebuild the bridge.', source)).toBe(
      false,
    );
  });

  it('drops and reports an unfaithful key point, keeping the faithful ones', () => {
    const onDropped = vi.fn();
    const kept = verifyKeyPoints(
      [
        { text: 'The council approved $412 million.', source },
        { text: 'The council approved $500 million.', source },
      ],
      onDropped,
    );
    expect(kept).toEqual(['The council approved $412 million.']);
    expect(onDropped).toHaveBeenCalledWith(
      'The council approved $500 million.',
      KEY_POINT_REASONS.notFaithful,
    );
  });

  it('runs on every key point the ranking picks: a compressor that adds or moves a word is caught', () => {
    const body = [
      'The council approved $412 million on Tuesday to rebuild the Harlow bridge.',
      'Engineers found cracked steel in two of the bridge’s five spans last spring.',
      'A temporary two-lane crossing will carry traffic while the work goes on.',
      'Construction starts in January and should take about three years.',
      'Property tax bills will rise 4.2% a year for a decade to pay for it.',
      'Residents on the detour route asked for limits on overnight work.',
    ].join('\n\n');
    const sentences = segment(body);
    const onDropped = vi.fn();
    const tampered = keyPoints(sentences, {
      count: 6,
      onDropped,
      // One added word ("quickly"), one moved phrase: both must be refused.
      compressor: (s) =>
        s.startsWith('The council')
          ? s.replace('approved', 'quickly approved')
          : s.startsWith('Construction')
            ? 'In January construction starts and should take about three years.'
            : s,
    });
    expect(tampered.some((p) => p.includes('quickly'))).toBe(false);
    expect(tampered.some((p) => p.startsWith('In January'))).toBe(false);
    expect(onDropped.mock.calls.map((c) => c[0])).toEqual([
      'The council quickly approved $412 million on Tuesday to rebuild the Harlow bridge.',
      'In January construction starts and should take about three years.',
    ]);
    for (const p of tampered) expect(sentences.some((s) => isDeletionOf(p, s.text))).toBe(true);
  });

  it('reports dropped key points through summarize’s onDroppedKeyPoint, and none for honest ones', () => {
    const onDroppedKeyPoint = vi.fn();
    const body =
      'WESTFIELD (Wire) -- The school board voted 5-4 on Wednesday to move the high school start to 8:30 a.m., a district spokeswoman said. The change affects about 6,800 students. Bus routes will be redrawn over the summer.';
    const { keyPoints: points } = summarize({ body }, { onDroppedKeyPoint });
    expect(onDroppedKeyPoint).not.toHaveBeenCalled();
    expect(points[0]).toBe(
      'The school board voted 5-4 on Wednesday to move the high school start to 8:30 a.m.',
    );
  });
});

describe('selection', () => {
  // A photo caption left in the body restates the lead; its title and centroid terms alone would pick it.
  const body = [
    'Harbor officials closed the east pier to cargo ships after divers found cracks in two of its concrete supports.',
    'Harbor officials closed the east pier to cargo ships.',
    'Repairs are expected to cost $3.1 million and take about eight months.',
    'Ships bound for the pier will dock at the west terminal until the work ends.',
    'Dock workers asked the port to keep their shifts at the west terminal.',
  ].join('\n\n');

  it('skips a candidate that only repeats points already chosen', () => {
    const sentences = segment(body);
    const points = keyPoints(sentences, { count: 4 });
    expect(points).toHaveLength(4);
    expect(points).not.toContain('Harbor officials closed the east pier to cargo ships.');
    expect(points[0]).toMatch(/^Harbor officials closed the east pier .* concrete supports\.$/);
    // Without the rule the repeat is chosen, so the test holds the rule, not an accident of ranking.
    expect(keyPoints(sentences, { count: 4, weights: { maxRedundancy: 1 } })).toContain(
      'Harbor officials closed the east pier to cargo ships.',
    );
  });
});
