import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { defineCommand } from 'citty';
import { parseArticle } from '../../core/articles/parse.ts';
import { ArticleError } from '../../core/errors.ts';
import { summarize } from '../../core/summarize/index.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { note, out, printSummary } from '../output.ts';

const usage = 'digest summarize <file> [--json]';

export default defineCommand({
  meta: { name: 'summarize', description: 'Summarize one article: headline, key points, quotes' },
  args: {
    file: { type: 'positional', description: 'article file (.txt or .md)', required: false },
    json: { type: 'boolean', description: 'print only JSON on stdout' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['json'], usage);
    if (!args.file) throw new CliUsageError('missing the article file to summarize', usage);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(args.file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code;
      throw new ArticleError(args.file, `cannot read: ${reason}`, undefined, { cause: error });
    }
    const article = parseArticle(basename(args.file), bytes);
    const summary = summarize(
      { body: article.body, title: article.title },
      { onDroppedQuote: (q, reason) => note(`dropped a quote (${reason}): “${q.text}”`) },
    );
    if (args.json) {
      out(
        JSON.stringify({
          title: summary.title,
          keyPoints: summary.keyPoints,
          quotes: summary.quotes.map((q) => ({ text: q.text, speaker: q.speaker, role: q.role })),
        }),
      );
      return;
    }
    printSummary(summary);
  },
});
