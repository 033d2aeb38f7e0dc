/**
 * Quotes and speakers as real news writes them (issue 13, point 2). Every article here is invented for
 * the test; none is taken from an evaluation set.
 */
import { describe, expect, it } from 'vitest';
import { type Quote, summarize } from '../../../functions/core/summarize/index.ts';

const quotesOf = (body: string): Quote[] => summarize({ body }).quotes;
const speakers = (body: string): Array<string | null> => quotesOf(body).map((q) => q.speaker);

describe('quote marks', () => {
  it.each([
    ['curly', '“We will reopen the pier by June,” said harbour master Tomas Lindgren.'],
    ['straight', '"We will reopen the pier by June," said harbour master Tomas Lindgren.'],
    ['curly open, straight close', '“We will reopen the pier by June," said harbour master Tomas Lindgren.'],
    ['straight open, curly close', '"We will reopen the pier by June,” said harbour master Tomas Lindgren.'],
    ['low-9 and high-6 („…“)', '„We will reopen the pier by June,“ said harbour master Tomas Lindgren.'],
    ['guillemets', '«We will reopen the pier by June,» said harbour master Tomas Lindgren.'],
    ['reversed guillemets', '»We will reopen the pier by June,« said harbour master Tomas Lindgren.'],
  ])('%s', (_style, body) => {
    expect(quotesOf(body)).toEqual([
      { text: 'We will reopen the pier by June', speaker: 'Tomas Lindgren', role: 'harbour master' },
    ]);
  });

  it('reads a quote that runs over paragraphs, each reopened, as one quote of its speaker', () => {
    const body = [
      'Fire chief Odile Marchetti described the night.',
      '“We had six crews on the ridge by midnight.',
      '“By four in the morning the wind turned and we pulled them back,” Marchetti said.',
    ].join('\n\n');
    expect(quotesOf(body)).toEqual([
      {
        text: 'We had six crews on the ridge by midnight. By four in the morning the wind turned and we pulled them back',
        speaker: 'Odile Marchetti',
        role: 'Fire chief',
      },
    ]);
  });
});

describe('attribution', () => {
  const intro = 'Council treasurer Benedikt Aalto presented the budget on Monday.';

  it('by full name in the same sentence, after the quote', () => {
    expect(speakers(`${intro} “The reserve will last two more years,” Benedikt Aalto said.`)).toEqual([
      'Benedikt Aalto',
    ]);
  });

  it('by surname, resolved to the full name given earlier', () => {
    expect(speakers(`${intro} “The reserve will last two more years,” Aalto said.`)).toEqual([
      'Benedikt Aalto',
    ]);
  });

  it('by pronoun, resolved to the person the sentence before is about', () => {
    expect(speakers(`${intro} “The reserve will last two more years,” he said.`)).toEqual(['Benedikt Aalto']);
  });

  it('by title ("the treasurer"), resolved to the person holding it', () => {
    expect(speakers(`${intro} “The reserve will last two more years,” the treasurer said.`)).toEqual([
      'Benedikt Aalto',
    ]);
  });

  it('before the quote, past an appositive and a tail ("said in a statement that")', () => {
    expect(
      speakers(
        'Priya Ramanathan, who chairs the transit board, said in a statement that “fares will not rise before the new line opens.”',
      ),
    ).toEqual(['Priya Ramanathan']);
  });

  it('after the quote, past a long appositive ("X, who …, told Y")', () => {
    expect(
      speakers(
        '“Nobody here has seen water this high,” Ingrid Halvorsen, who has run the marina for three decades and sits on the county flood panel, told the Westfjord Courier.',
      ),
    ).toEqual(['Ingrid Halvorsen']);
  });

  it('in the previous sentence ("X said:", "X agreed.")', () => {
    const body = [
      'Harbour pilot Mateus Oliveira put it plainly:',
      '“Ships this size cannot turn in the old basin.”',
      'Engineer Sadia Karim agreed. “We would need to dredge another four metres.”',
    ].join('\n\n');
    expect(speakers(body)).toEqual(['Mateus Oliveira', 'Sadia Karim']);
  });

  it('in the next sentence (“…” X said.)', () => {
    expect(
      speakers(`${intro} “The reserve will last two more years.” Aalto said that was the cautious estimate.`),
    ).toEqual(['Benedikt Aalto']);
  });

  it('through a participle ("…, telling reporters, “…”")', () => {
    expect(
      speakers(
        'Mayor Lucia Ferrante left the hearing early, telling reporters, “I have heard enough to vote no.”',
      ),
    ).toEqual(['Lucia Ferrante']);
  });

  it('keeps two neighbouring speakers apart', () => {
    const body =
      'The union says the talks are "going nowhere fast, and everyone knows it," Dana Whitcombe said. Oren Bakshi, speaking for the company, said, "We have put a fair offer on the table."';
    expect(quotesOf(body).map((q) => [q.text, q.speaker])).toEqual([
      ['going nowhere fast, and everyone knows it', 'Dana Whitcombe'],
      ['We have put a fair offer on the table.', 'Oren Bakshi'],
    ]);
  });

  it('follows a speaker through a run of quote-only paragraphs', () => {
    const body = [
      '“We start pouring concrete in April,” site manager Kwame Asante said.',
      '“The steel arrives in May.”',
      '“If the weather holds, the roof is on by September.”',
    ].join('\n\n');
    expect(speakers(body)).toEqual(['Kwame Asante', 'Kwame Asante', 'Kwame Asante']);
  });
});

describe('who counts as a speaker', () => {
  it('an organization that speaks ("Verizon said") is the speaker', () => {
    expect(
      speakers('“We have restored service to every customer in the valley,” Verizon said in a statement.'),
    ).toEqual(['Verizon']);
    expect(
      speakers('“The contract protects every job at the plant,” the Marlow Workers Union said on Friday.'),
    ).toEqual(['Marlow Workers Union']);
  });

  it('a publication that reports is the speaker; one that is told something is not', () => {
    expect(
      speakers('“The mayor knew about the cracks in March,” the Harbour Gazette reported on Sunday.'),
    ).toEqual(['Harbour Gazette']);
    expect(
      speakers(
        'Planner Yusuf Demir spoke at length. “The cracks were known in March,” Demir told the Harbour Gazette.',
      ),
    ).toEqual(['Yusuf Demir']);
  });

  it('a publication that owns the speaker is not the speaker (“…,” Fox’s Chris Wallace said)', () => {
    expect(speakers('“Let us talk about the tariffs,” Fox’s Chris Wallace said.')).toEqual(['Chris Wallace']);
    expect(
      speakers('“We expected a closer race,” the Tribune’s political editor Marta Soriano said.'),
    ).toEqual(['Marta Soriano']);
  });

  it('a party label is not a name ("state Sen. Ada Quist (D)", "(R-Ohio)")', () => {
    expect(
      speakers('“This bill will not pass the Senate,” state Sen. Ada Quist (D) said after the vote.'),
    ).toEqual(['Ada Quist']);
    expect(
      speakers('“We will try again next session,” said Rep. Colm Brennan (R-Ohio), who wrote the bill.'),
    ).toEqual(['Colm Brennan']);
  });

  it('a party and state written without parentheses are not a name (", D-Ore.,")', () => {
    const body =
      'Sen. Dana Fields, D-Ore., opposed the amendment. “This amendment guts the whole bill,” Fields said.';
    expect(speakers(body)).toEqual(['Dana Fields']);
  });

  it('a place is not a speaker, nor is the capital city the quote was said in', () => {
    expect(
      speakers(
        'Trade envoy Lena Vogt arrived in Budapest on Tuesday. In Budapest, Vogt said, “The tariff question is settled.”',
      ),
    ).toEqual(['Lena Vogt']);
    expect(
      speakers(
        'Archbishop Teodor Malik of the Diocese of Ravenport spoke to pilgrims. “We pray for the harvest,” he said.',
      ),
    ).toEqual(['Teodor Malik']);
  });

  it('a date or an ordinary word opening a sentence is not a speaker', () => {
    expect(
      speakers(
        'Gay rights groups welcomed the ruling. “This is a good day for every family in the state,” said Renata Oduya, who leads the Equal Homes coalition.',
      ),
    ).toEqual(['Renata Oduya']);
    expect(
      speakers('Tuesday brought the vote. “We finally have a budget,” said clerk Anselm Baptiste.'),
    ).toEqual(['Anselm Baptiste']);
  });

  it('a transcript label ("NAME:") names the speaker, resolved to the full name', () => {
    const body = [
      'Anchor Petra Lindqvist interviewed Governor Samuel Okoro on Sunday. A transcript follows.',
      'LINDQVIST: “Will you sign the water bill this week?”',
      'OKORO: “I will sign it on Thursday, with the farmers standing beside me.”',
    ].join('\n\n');
    expect(speakers(body)).toEqual(['Petra Lindqvist', 'Samuel Okoro']);
  });
});

describe('names', () => {
  it('keeps family-name-first names whole and resolves the family name to them', () => {
    const body =
      'Trade minister Wang Xiuying met the delegation. “Both sides want the port reopened,” Wang said.';
    expect(speakers(body)).toEqual(['Wang Xiuying']);
  });

  it('keeps hyphenated given names whole', () => {
    const body =
      'Jean-Baptiste Moreau, the vineyard’s owner, counted the damage. “Half the vines are gone,” Moreau said.';
    expect(quotesOf(body)).toEqual([
      { text: 'Half the vines are gone', speaker: 'Jean-Baptiste Moreau', role: 'vineyard’s owner' },
    ]);
  });

  it('gives the fullest form of the name the article uses', () => {
    const body =
      'Senate Majority Leader Harold T. Brandvold opened the session. Brandvold later spoke to reporters. “We have the votes,” Brandvold said.';
    expect(speakers(body)).toEqual(['Harold T. Brandvold']);
  });

  it('resolves a surname to the nearest person who has it, then to that person’s fullest form', () => {
    const body = [
      'Former governor Maria Elena Castillo opened the forum.',
      'Her brother, Tomas Castillo, spoke next.',
      '“The water plan needs another year of study,” Castillo said.',
    ].join('\n\n');
    expect(speakers(body)).toEqual(['Tomas Castillo']);
    const later = `${body}\n\nMaria Castillo answered him. “We have studied it for ten years,” Castillo said.`;
    expect(speakers(later)).toEqual(['Tomas Castillo', 'Maria Elena Castillo']);
  });

  it('takes a title and a capitalized role off the name ("United Dockworkers Secretary-Treasurer …")', () => {
    expect(
      quotesOf(
        '“Nobody is going back to work on those terms,” said United Dockworkers Secretary-Treasurer Ilse Brandt.',
      ),
    ).toEqual([
      {
        text: 'Nobody is going back to work on those terms',
        speaker: 'Ilse Brandt',
        role: 'United Dockworkers Secretary-Treasurer',
      },
    ]);
  });
});
