import { basename } from 'node:path';
import { defineCommand } from 'citty';
import { readArticleArgument } from '../../adapters/article-files.ts';
import { type ArticleStatus, addArticle, listArticles } from '../../core/articles/catalog.ts';
import { type CarriedIndex, carriedIndex } from '../../core/articles/news.ts';
import { isArticleFile } from '../../core/articles/parse.ts';
import type { ArticleStore } from '../../core/ports.ts';
import { parseConfig } from '../../wiring/config.ts';
import { type Runtime, runtimeFromConfig } from '../../wiring/runtime.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { note, out } from '../output.ts';

const addUsage = 'digest articles add <file> [--as NAME]';
const listUsage = 'digest articles list [--json]';

function describeRow(row: ArticleStatus): string {
  const title = `${row.title ? ` — “${row.title}”` : ''}${(row.warnings ?? []).map((w) => `; warning: ${w}`).join('')}`;
  switch (row.status) {
    case 'new':
      return `${row.file}: not sent yet${title}`;
    case 'carried': {
      const [first, ...again] = row.issues ?? [];
      const more = again.length ? `, again in ${again.map((i) => i.issueId).join(', ')}` : '';
      return `${row.file}: went out in issue ${first?.issueId} (${first?.state})${more}${title}`;
    }
    case 'duplicate':
      return `${row.file}: same article as ${row.sameAs}, counted once`;
    case 'unreadable':
      return `${row.file}: skipped, ${row.reason}`;
  }
}

/**
 * The article store and the issues for this configuration: the bucket and the AWS tables when
 * DIGEST_BUCKET is set (nothing local is started), else seeds/ and the local engines.
 */
async function withShelf<T>(
  fn: (shelf: ArticleStore, carried: () => Promise<CarriedIndex>) => Promise<T>,
): Promise<T> {
  const config = parseConfig();
  const index = (rt: Runtime) => async () => carriedIndex(await rt.stores.issues.list(), rt.blobs);
  if (config.DIGEST_BUCKET) {
    const rt = runtimeFromConfig(config);
    try {
      return await fn(rt.articles, index(rt));
    } finally {
      rt.close();
    }
  }
  return withLocalContext((ctx) => fn(ctx.runtime.articles, index(ctx.runtime)), { onEvent: () => {} });
}

const add = defineCommand({
  meta: { name: 'add', description: 'Add an article (front matter checked); the next issue carries it' },
  args: {
    file: { type: 'positional', required: false, description: 'article file (.txt or .md)' },
    as: { type: 'string', description: 'file name to store it under (default: the file’s own name)' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['as'], addUsage);
    if (!args.file) throw new CliUsageError('missing the article file to add', addUsage);
    const file = args.file;
    if (args.as !== undefined && (args.as.includes('/') || args.as.includes('\\'))) {
      throw new CliUsageError(`--as takes a file name, not a path: "${args.as}"`, addUsage);
    }
    const name = args.as ?? basename(file);
    if (!isArticleFile(name)) {
      throw new CliUsageError(
        `"${name}": an article file name ends in .txt or .md and does not start with a dot`,
        addUsage,
      );
    }
    const bytes = await readArticleArgument(file);
    const { article } = await withShelf(async (shelf, carried) => {
      const result = await addArticle(shelf, await carried(), { name, bytes });
      out(`Added ${result.name} to ${shelf.where}.`);
      return result;
    });
    for (const warning of article.warnings ?? []) note(`warning: ${name}: ${warning}`);
    if (article.title) out(`Title: ${article.title}`);
    if (article.url) out(`URL: ${article.url}`);
    out(
      `The next issue will carry it (\`digest send\`; \`digest articles list\` shows ${name} as not sent yet).`,
    );
  },
});

const list = defineCommand({
  meta: { name: 'list', description: 'List the articles, each with the issue it went out in, if any' },
  args: {
    json: { type: 'boolean', description: 'print JSON on stdout' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['json'], listUsage);
    await withShelf(async (shelf, carried) => {
      const rows = await listArticles(shelf, await carried());
      if (args.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        out(`No articles in ${shelf.where}. Add one with \`digest articles add FILE\`.`);
        return;
      }
      for (const row of rows) out(describeRow(row));
      const count = (status: ArticleStatus['status']) => rows.filter((r) => r.status === status).length;
      note(
        `${rows.length} file(s) in ${shelf.where}: ${count('new')} not sent yet, ${count('carried')} sent, ` +
          `${count('duplicate')} duplicate(s), ${count('unreadable')} unreadable`,
      );
    });
  },
});

export default defineCommand({
  meta: { name: 'articles', description: 'The articles issues are built from: add one, list them' },
  subCommands: { add, list },
});
