import { describe, expect, it } from 'vitest';
import { porterStem } from '../../../eval/porter.ts';
import { rougeTokens } from '../../../eval/rouge.ts';
import { type EvalCase, runEvaluation, TARGETS } from '../../../eval/run.ts';
import { partOf } from '../../../eval/sets.ts';

describe('summarizer evaluation set (eval/)', () => {
  const report = runEvaluation();

  it('covers at least 12 articles, one of them without quotes', () => {
    expect(report.articles.length).toBeGreaterThanOrEqual(12);
    expect(report.articles.some((a) => a.counts.gold === 0)).toBe(true);
  });

  it('meets the quote targets', () => {
    expect(report.overall.quoteRecall).toBeGreaterThanOrEqual(TARGETS.quoteRecall);
    expect(report.overall.quotePrecision).toBeGreaterThanOrEqual(TARGETS.quotePrecision);
    expect(report.overall.speakerAccuracy).toBeGreaterThanOrEqual(TARGETS.speakerAccuracy);
  });

  it('meets the key-fact coverage target', () => {
    expect(report.overall.keyFactCoverage).toBeGreaterThanOrEqual(TARGETS.keyFactCoverage);
  });

  it('lists no scare quote, title or slogan', () => {
    expect(report.articles.flatMap((a) => a.listedNotQuotes)).toEqual([]);
  });

  it('gives 3–6 verbatim key points per article', () => {
    for (const a of report.articles) {
      expect(a.summary.keyPoints.length, a.slug).toBeGreaterThanOrEqual(3);
      expect(a.summary.keyPoints.length, a.slug).toBeLessThanOrEqual(6);
    }
  });
});

describe('evaluation runner on an eval-real style set (invented article, gold in that format)', () => {
  const body = [
    'HARLOW (Wire) -- The city council voted 7-2 on Tuesday to rebuild the Harlow bridge for $412 million.',
    '“This bridge carries forty thousand people a day, and we will not wait until it fails,” Mayor Ana Ruiz said.',
    'Engineers closed the bridge to trucks last spring after finding cracked steel.',
    'Construction starts in January and should take about three years.',
    'A temporary crossing will carry traffic during the work.',
    'Property tax bills will rise 4.2% a year for a decade.',
  ].join('\n\n');
  const cases: EvalCase[] = [
    {
      slug: '01-cnndm-harlow-bridge',
      part: partOf('01-cnndm-harlow-bridge'),
      title: undefined,
      body,
      gold: {
        format: 'real',
        gold: {
          id: '01-cnndm-harlow-bridge',
          quotes: [
            {
              text: 'This bridge carries forty thousand people a day, and we will not wait until it fails,',
              speaker: 'Ruiz',
              role: null,
            },
          ],
          optional_quotes: [],
          must_not_quote: [],
          key_facts: ['Council votes to rebuild Harlow bridge for $412 million', 'Work starts in January'],
        },
      },
    },
  ];
  const report = runEvaluation(cases);

  it('takes the part from the id and scores quotes with the eval-real rules', () => {
    expect(report.parts).toEqual(['cnndm']);
    const m = report.table.cnndm?.summarizer;
    expect(m?.counts).toMatchObject({ gold: 1, matched: 1, speakerCorrect: 1, predicted: 1, real: 1 });
  });

  it('scores key facts, ROUGE and words per point for the summarizer and both lead baselines', () => {
    const row = report.table.cnndm;
    for (const system of ['summarizer', 'LEAD-3', 'LEAD-6'] as const) {
      expect(row?.[system].counts.facts).toBe(2);
      expect(row?.[system].rouge1).toBeGreaterThan(0);
      expect(row?.[system].medianWords).toBeGreaterThan(0);
    }
    expect(row?.['LEAD-3'].keyPoints).toBe(3);
    // LEAD-6 holds every sentence of this short article, so it covers both facts.
    expect(row?.['LEAD-6'].counts.factsCovered).toBe(2);
  });
});

describe('ROUGE tokenizer', () => {
  it('lowercases and Porter-stems, as the reference scripts do', () => {
    expect(rougeTokens('Officials Removed five Polyps, running')).toEqual([
      'offici',
      'remov',
      'five',
      'polyp',
      'run',
    ]);
    expect(porterStem('generalizations')).toBe('gener');
  });
});
