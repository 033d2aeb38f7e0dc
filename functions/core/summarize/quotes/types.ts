/** Shapes shared by the quote finder's steps. */

export interface ExtractedQuote {
  text: string;
  speaker: string | null;
  role: string | null;
  /** The verbatim pieces the text was assembled from (one per paragraph or split-quote piece). */
  pieces: string[];
}

export interface DroppedQuote {
  quote: ExtractedQuote;
  reason: string;
}

export interface Attribution {
  speaker: string | null;
  role: string | null;
}

export const REASONS = {
  fragment: 'fragment of a few words (scare quote or partial phrase)',
  title: 'title of a work',
  slogan: 'slogan on a sign, banner or chant',
  unattributed: 'no speaker is given for it',
  notVerbatim: 'not found verbatim in the source',
} as const;
