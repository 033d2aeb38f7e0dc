import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { DigestError } from '../../../functions/core/errors.ts';
import { headline, type Quote, SummarizeError, summarize } from '../../../functions/core/summarize/index.ts';
import { isDeletionOf } from '../../../functions/core/summarize/keypoints/faithful.ts';
import { keyPoints } from '../../../functions/core/summarize/keypoints.ts';
import { type DroppedQuote, REASONS } from '../../../functions/core/summarize/quotes/types.ts';
import { verifyQuotes } from '../../../functions/core/summarize/quotes/verify.ts';
import { extractQuotes } from '../../../functions/core/summarize/quotes.ts';
import { paragraphs, segment, splitSentences } from '../../../functions/core/summarize/sentences.ts';

const SEED = readFileSync(new URL('../../../seeds/000_c2d1d5eb466be413.txt', import.meta.url), 'utf8');

const quotesOf = (body: string): Quote[] => summarize({ body }).quotes;

describe('sentence segmentation', () => {
  it.each([
    ['titles before names', 'Dr. Amara Okafor met Sen. Lee and Gov. Ruiz. They talked.', 2],
    ['initials before a proper noun', 'The U.S. Senate voted 52-48. The House did not.', 2],
    ['initials ending a sentence', 'He moved to the U.S. The next day he left.', 2],
    ['a middle initial', 'John F. Kennedy spoke in Dallas. The crowd cheered.', 2],
    ['month abbreviation and a date', 'Work starts on Jan. 15 and ends in Sept. 2027. Nobody objected.', 2],
    ['decimals, money and percentages', 'It costs $6.8 billion, up 4.2% on 2023. Bonds pay 3.75%.', 2],
    ['a.m. before a weekday', 'The vote came at 11 p.m. Tuesday after a hearing. It passed.', 2],
    ['p.m. ending a sentence', 'Trams run until 7 p.m. Schools stayed open.', 2],
    ['No. before a number', 'It was No. 1 in sales. The rival was No. 2.', 2],
    ['street abbreviation before a name', 'They met at 12 St. James Square. It rained.', 2],
    ['question inside a quote', '“Is it over?” she asked. Nobody answered.', 2],
    ['quote that ends a sentence', '“We will rebuild.” The mayor left the stage.', 2],
  ])('%s', (_name, text, count) => {
    expect(splitSentences(text)).toHaveLength(count);
  });

  it('splits a paragraph longer than one segmenter stretch (4 KB) the same way, offsets included', () => {
    const unit = 'Dr. Amara Okafor met Sen. Lee at 11 p.m. Tuesday. The U.S. Senate voted 52-48. ';
    const text = unit.repeat(200).trim();
    const sentences = segment(text);
    expect(sentences).toHaveLength(400);
    expect(new Set(sentences.map((s) => s.text))).toEqual(
      new Set(['Dr. Amara Okafor met Sen. Lee at 11 p.m. Tuesday.', 'The U.S. Senate voted 52-48.']),
    );
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('keeps paragraph breaks as sentence breaks and reports offsets into the text', () => {
    const text = 'First paragraph without a period\n\nSecond one. Third one.';
    const sentences = segment(text);
    expect(sentences.map((s) => s.text)).toEqual([
      'First paragraph without a period',
      'Second one.',
      'Third one.',
    ]);
    expect(sentences.map((s) => s.paragraph)).toEqual([0, 1, 1]);
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('quotes', () => {
  it('reads curly quotes with "X said" and resolves the surname to the full name and role', () => {
    const q = quotesOf(
      'City engineer Paul Brandt inspected the bridge on Monday.\n\n“The steel is not going to get any younger,” Brandt said.',
    );
    expect(q).toEqual([
      { text: 'The steel is not going to get any younger', speaker: 'Paul Brandt', role: 'City engineer' },
    ]);
  });

  it('reads straight quotes, "said X, role" and keeps a nested quote inside the text', () => {
    const q = quotesOf(
      `"Everybody wanted the next 'Stripe for small business,' and there are only so many," said Tom Achterberg, a partner at Fieldnote Analytics.`,
    );
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ speaker: 'Tom Achterberg', role: 'partner at Fieldnote Analytics' });
    expect(q[0]?.text).toContain("'Stripe for small business,'");
  });

  it('joins a split quote into one', () => {
    const q = quotesOf(
      'Chief curator Nadia Petrov led the tour. “We spent two years on the roof alone,” she said. “The paintings were the easy part.”',
    );
    expect(q).toEqual([
      {
        text: 'We spent two years on the roof alone. The paintings were the easy part.',
        speaker: 'Nadia Petrov',
        role: 'Chief curator',
      },
    ]);
  });

  it('keeps the comma when the split quote continues the same sentence', () => {
    const q = quotesOf('“If spending slows even a little,” Liang Weimin said, “Hanbit will be in trouble.”');
    expect(q[0]?.text).toBe('If spending slows even a little, Hanbit will be in trouble.');
  });

  it('joins a quote that runs over several paragraphs', () => {
    const body = [
      'Judge Helen Marsh retired on Friday.',
      '“When I started, the clerk kept every file on paper.',
      '“Today a family can file from a library computer at midnight.',
      '“I leave knowing the court is in good hands,” Marsh said.',
    ].join('\n\n');
    expect(quotesOf(body)).toEqual([
      {
        text: 'When I started, the clerk kept every file on paper. Today a family can file from a library computer at midnight. I leave knowing the court is in good hands',
        speaker: 'Helen Marsh',
        role: 'Judge',
      },
    ]);
  });

  it.each([
    [
      'X said: “…”',
      'City engineer Paul Brandt said: “The steel is not going to get any younger.”',
      'Paul Brandt',
    ],
    [
      'X told Y',
      '“We will stay out as long as it takes,” union president Carla Mendes told the Tribune.',
      'Carla Mendes',
    ],
    [
      'according to X',
      '“Every bed on the third floor is taken,” according to Lisa Greer, a nurse manager.',
      'Lisa Greer',
    ],
    [
      'preceding sentence',
      'County emergency manager Grace Holloway praised the volunteers. “People showed up with shovels at two in the morning.”',
      'Grace Holloway',
    ],
    [
      'following sentence',
      '“Without that levee we would be pumping out the main street.” That was the verdict of Mayor Ingrid Solberg.',
      'Ingrid Solberg',
    ],
    [
      'asked X',
      '“Who will tell the fishermen what we traded away?” asked Sofia Brandão, director of the Bay Trust.',
      'Sofia Brandão',
    ],
  ])('attribution form: %s', (_form, body, speaker) => {
    const q = quotesOf(body);
    expect(q).toHaveLength(1);
    expect(q[0]?.speaker).toBe(speaker);
  });

  it('reads articles that quote with single curly marks, leaving apostrophes alone', () => {
    const body =
      'Council leader Sarah Pym said the library would stay open. ‘We won’t close a single branch while I’m in charge,’ she said.';
    expect(quotesOf(body)).toEqual([
      {
        text: 'We won’t close a single branch while I’m in charge',
        speaker: 'Sarah Pym',
        role: 'Council leader',
      },
    ]);
  });

  it('keeps an unnamed but described source, without a name', () => {
    expect(
      quotesOf('A spokeswoman for the ministry said: “We are reviewing every contract signed since 2019.”'),
    ).toEqual([
      {
        text: 'We are reviewing every contract signed since 2019.',
        speaker: null,
        role: 'spokeswoman for the ministry',
      },
    ]);
  });

  it('keeps names written family name first, resolving the family name alone', () => {
    const body =
      'Industry analyst Liang Weimin of Orient Research followed the deal. “This is a very large bet for a small company,” Liang said.\n\n' +
      '“Our customers want twice the volume we can ship today,” said Park Ji-hoon, chief executive of Hanbit. Park said more plants would follow.';
    const q = quotesOf(body);
    expect(q.map((x) => [x.speaker, x.role])).toEqual([
      ['Liang Weimin', 'Industry analyst'],
      ['Park Ji-hoon', 'chief executive of Hanbit'],
    ]);
  });

  it('resolves she and he to the right person when two speakers of different genders alternate', () => {
    const body = [
      'Superintendent Rachel Obi said her staff had studied 14 districts.',
      'Board member David Lindqvist said his worry was after-school jobs.',
      '“I am not arguing with the science,” he said.',
      'Lindqvist also questioned the cost of overtime for drivers.',
      'The superintendent replied that practices could move. “We cannot move a teenager’s biology,” she said.',
    ].join('\n\n');
    expect(quotesOf(body).map((x) => x.speaker)).toEqual(['David Lindqvist', 'Rachel Obi']);
  });

  it('uses an honorific as a gender cue (Mr. → he)', () => {
    const body =
      'Ms. Ana Pérez chaired the hearing. Mr. Omar Haddad spoke last.\n\nLater Ms. Pérez thanked the board. “We have heard every resident who asked to speak,” he said.';
    expect(quotesOf(body)[0]?.speaker).toBe('Omar Haddad');
  });

  it('does not list scare quotes, titles of works, slogans on signs or unattributed text', () => {
    const body = [
      'Council member Theo Vance called the financing a “band-aid budget” on Tuesday.',
      'Her debut novel “The Salt Orchard by the Sea” won the prize, and a film of “What the Tide Left Behind” is planned.',
      'Marchers carried signs reading “Books Not Budget Cuts For Our Children” and chanted “Keep our library open today.”',
      '“Nobody asked the residents what they wanted here.” The plan passed anyway.',
    ].join('\n\n');
    const onDroppedQuote = vi.fn();
    expect(summarize({ body }, { onDroppedQuote }).quotes).toEqual([]);
    // Not quotes at all, so not reported as dropped quotes either.
    expect(onDroppedQuote).not.toHaveBeenCalled();
    const normalized = body;
    const paras = paragraphs(normalized);
    const dropped: DroppedQuote[] = [];
    extractQuotes({ body: normalized, paragraphs: paras, sentences: segment(normalized, paras) }, dropped);
    expect(dropped.map((d) => d.reason)).toEqual([
      REASONS.fragment,
      REASONS.title,
      REASONS.title,
      REASONS.slogan,
      REASONS.slogan,
      REASONS.unattributed,
    ]);
  });

  it('drops a quote that is not verbatim in the source and reports it', () => {
    const onDropped = vi.fn();
    const source = 'Okafor said: “The virus arrived early, and it arrived in many households at once.”';
    const kept = verifyQuotes(
      [
        {
          text: 'The virus arrived early, and it arrived in many households at once',
          speaker: 'Okafor',
          role: null,
        },
        { text: 'The virus arrived late and in few households', speaker: 'Okafor', role: null },
        {
          text: 'The virus arrived early. It arrived in many households at once.',
          speaker: 'Okafor',
          role: null,
          pieces: ['The virus arrived early,', 'it arrived in many households at once.'],
        },
      ],
      source,
      onDropped,
    );
    expect(kept.map((q) => q.text)).toEqual([
      'The virus arrived early, and it arrived in many households at once',
      'The virus arrived early. It arrived in many households at once.',
    ]);
    expect(onDropped).toHaveBeenCalledTimes(1);
    expect(onDropped.mock.calls[0]?.[1]).toMatch(/verbatim/);
  });

  it('every quote it lists appears verbatim in the source, piece by piece', () => {
    const canon = (t: string) => t.replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/\s+/g, ' ');
    for (const q of quotesOf(SEED)) {
      for (const piece of q.text.split(/(?<=[.!?])\s+/))
        expect(canon(SEED)).toContain(canon(piece).replace(/[.,]$/, ''));
    }
  });
});

describe('the seed article', () => {
  const summary = summarize({ body: SEED });

  it('has exactly one quote, by Xie Zhenhua, China’s climate envoy', () => {
    expect(summary.quotes).toHaveLength(1);
    expect(summary.quotes[0]).toMatchObject({ speaker: 'Xie Zhenhua', role: 'China’s climate envoy' });
    expect(summary.quotes[0]?.text).toMatch(
      /^Even as the two countries haven’t resumed official climate talks/,
    );
  });

  it('has key points that cover the story', () => {
    const text = summary.keyPoints.join('\n');
    expect(summary.keyPoints.length).toBeGreaterThanOrEqual(3);
    expect(summary.keyPoints.length).toBeLessThanOrEqual(6);
    expect(text).toMatch(/unofficial/);
    expect(text).toMatch(/not in the cards|not a bilateral issue/);
    expect(text).toMatch(/August[^\n]*Pelosi[^\n]*Taiwan/);
    expect(text).toMatch(/methane[^\n]*deforestation[^\n]*green transition/);
    expect(text).toMatch(/Group of 20|G20/);
  });

  it('keeps each key point a deletion of one sentence, in article order, without quotes or dangling starts', () => {
    const sentences = splitSentences(SEED);
    const sources = summary.keyPoints.map((p) => sentences.findIndex((s) => isDeletionOf(p, s)));
    expect(sources.every((i) => i >= 0)).toBe(true);
    expect([...sources].sort((a, b) => a - b)).toEqual(sources);
    for (const p of summary.keyPoints) {
      expect(p).not.toMatch(/^[“"]/);
      expect(p).not.toMatch(/^(?:He|She|It|They|But|However|And|That|This)\b/);
    }
  });

  it('trims key points as an editor would: no attribution tail on a reported fact', () => {
    expect(summary.keyPoints).toContain(
      'Both men are interested in resuming talks on curbing methane, combating deforestation and accelerating the green transition.',
    );
  });

  it('generates a short headline without a trailing period', () => {
    expect(summary.title).toBe(
      'The US and China have started unofficial conversations on climate-related issues',
    );
    expect(summary.title.length).toBeLessThanOrEqual(90);
  });
});

describe('contract', () => {
  it('uses the given title when there is one', () => {
    expect(summarize({ body: SEED, title: '  US and China talk climate  ' }).title).toBe(
      'US and China talk climate',
    );
  });

  it('headline keeps the main clause and drops the weekday', () => {
    expect(
      headline(
        'Judge Helen Marsh, who has led the county court since 2009, retired on Friday after 31 years on the bench, ending an era.',
      ),
    ).toBe('Judge Helen Marsh retired after 31 years on the bench');
  });

  it('returns an empty quote list for an article without quotes', () => {
    const body = readFileSync(new URL('../../../eval/articles/04-rail-line.txt', import.meta.url), 'utf8');
    const s = summarize({ body });
    expect(s.quotes).toEqual([]);
    expect(s.keyPoints.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \n\n\t  '],
    ['punctuation only', '— … ** --- !!'],
  ])('throws SummarizeError for %s text', (_name, body) => {
    expect(() => summarize({ body })).toThrow(SummarizeError);
    expect(() => summarize({ body })).toThrow(/no text/);
  });

  it('has the error name SummarizeError', () => {
    try {
      summarize({ body: '' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SummarizeError);
      expect(error).toBeInstanceOf(DigestError);
      expect((error as Error).name).toBe('SummarizeError');
    }
  });

  it('returns fewer than three key points only when the article has fewer sentences', () => {
    expect(summarize({ body: 'One short article. It has two sentences.' }).keyPoints).toHaveLength(2);
    const sentences = segment('Rain fell. It was cold. But the fair opened. Then it closed early.');
    expect(keyPoints(sentences)).toHaveLength(3);
  });

  it('is deterministic', () => {
    expect(summarize({ body: SEED })).toEqual(summarize({ body: SEED }));
  });
});
