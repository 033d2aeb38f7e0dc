import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineCommand } from 'citty';
import { describeChromium, resolveChromium } from '../../adapters/browser.ts';
import { screenshotEmail } from '../../adapters/email-screenshots.ts';
import { issueIdProblem } from '../../core/issue/keys.ts';
import { prepareIssue } from '../../core/issue/prepare.ts';
import { GMAIL_CLIP_BYTES, personalize } from '../../core/render/personalize.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';

const usage = 'digest preview [--out DIR] [--issue ID]';

export default defineCommand({
  meta: {
    name: 'preview',
    description: 'Render the next digest to HTML, text and screenshots (sends nothing)',
  },
  args: {
    out: { type: 'string', description: 'output folder', default: 'out/preview' },
    issue: { type: 'string', description: 'preview a stored issue instead of the next one' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['out', 'issue'], usage);
    const issueProblem = args.issue !== undefined ? issueIdProblem(args.issue) : undefined;
    if (issueProblem) throw new CliUsageError(`--issue ${issueProblem}`, usage);
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
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const size = prepared.compiled.htmlBytes;
      out(`Subject: ${prepared.compiled.subject}`);
      if (prepared.compiled.preheader) out(`Preheader: ${prepared.compiled.preheader}`);
      out(
        `HTML: ${relative(process.cwd(), html)} (${kb(size)} compiled; ${size < GMAIL_CLIP_BYTES ? 'under' : 'OVER'} Gmail's ${kb(GMAIL_CLIP_BYTES)} clipping limit)`,
      );
      out(`Text: ${relative(process.cwd(), text)}`);

      // A browser always exists (the npm package ships one): failing to start it is an error.
      const chromium = await resolveChromium();
      out(`Browser: ${describeChromium(chromium)}`);
      const shots = await screenshotEmail(
        body.html,
        [
          { file: join(args.out, 'preview-600.png'), view: { width: 600, colorScheme: 'light' as const } },
          { file: join(args.out, 'preview-375.png'), view: { width: 375, colorScheme: 'light' as const } },
          {
            file: join(args.out, 'preview-375-dark.png'),
            view: { width: 375, colorScheme: 'dark' as const },
          },
        ],
        { executable: chromium },
      );
      for (const shot of shots) {
        const overflow =
          shot.scrollWidth > shot.viewportWidth ? ` (OVERFLOWS: ${shot.scrollWidth} px wide)` : '';
        out(
          `Screenshot ${shot.width} px${shot.colorScheme === 'dark' ? ' dark' : ''}: ${relative(process.cwd(), shot.file)}${overflow}`,
        );
      }
    });
  },
});
