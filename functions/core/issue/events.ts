/** Things worth telling a person (CLI) or a log (Lambda) while a run goes on. */
export type RunEvent =
  | { type: 'article-skipped'; file: string; reason: string }
  | { type: 'article-warning'; file: string; message: string }
  | { type: 'article-duplicate'; file: string; sameAs: string }
  | { type: 'quote-dropped'; file: string; quote: string; reason: string }
  | { type: 'issue-resumed'; issueId: string; state: string }
  | { type: 'issue-built'; issueId: string; articles: number; htmlBytes: number };
