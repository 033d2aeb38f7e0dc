import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineCommand } from 'citty';
import { personalize } from '../../core/render.ts';
import { prepareIssue } from '../../core/run.ts';
import { withLocalContext } from '../context.ts';
import { rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';

const usage = 'digest preview [--out DIR] [--issue ID]';

export default defineCommand({
  meta: { name: 'preview', description: 'Render the current digest to HTML and text files (sends nothing)' },
  args: {
    out: { type: 'string', description: 'output folder', default: 'out/preview' },
    issue: { type: 'string', description: 'preview a stored issue instead of the next one' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['out', 'issue'], usage);
    await withLocalContext(async (ctx) => {
      // Preview builds in memory: it never creates or changes an issue record.
      let prepared = await prepareIssue(ctx.deps, { issueId: args.issue, persist: false });
      if (prepared.kind === 'nothing-new' && !args.issue) {
        out(`No new articles (${prepared.reason}); previewing all articles instead.`);
        prepared = await prepareIssue(ctx.deps, { includeSent: true, persist: false });
      }
      if (prepared.kind === 'nothing-new') {
        out(`Nothing to preview: ${prepared.reason}.`);
        return;
      }
      const body = personalize(prepared.compiled, {
        email: 'subscriber@example.com',
        unsubscribeUrl: `${ctx.deps.brand.publicUrl}/unsubscribe?token=preview`,
      });
      await mkdir(args.out, { recursive: true });
      const html = join(args.out, 'preview.html');
      const text = join(args.out, 'preview.txt');
      await writeFile(html, body.html);
      await writeFile(text, body.text);
      out(`Subject: ${prepared.compiled.subject}`);
      out(
        `HTML: ${relative(process.cwd(), html)} (${(prepared.compiled.htmlBytes / 1024).toFixed(1)} KB; Gmail clips over 102 KB)`,
      );
      out(`Text: ${relative(process.cwd(), text)}`);
    });
  },
});
