import { basename } from 'node:path';
import { defineCommand } from 'citty';
import { readArticleArgument } from '../../adapters/article-files.ts';
import { parseArticle } from '../../core/articles/parse.ts';
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
    // A regular file of at most MAX_ARTICLE_BYTES: `/dev/zero` or a 3 MB file is refused at once.
    const bytes = await readArticleArgument(args.file);
    const article = parseArticle(basename(args.file), bytes);
    for (const warning of article.warnings ?? []) note(`warning: ${article.file}: ${warning}`);
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
