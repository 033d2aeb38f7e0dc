import { describe, expect, it } from 'vitest';
import { runEvaluation, TARGETS } from '../../../eval/run.ts';

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
