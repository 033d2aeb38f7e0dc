/**
 * Render speed. Run: npm run bench render (or npx tsx bench/render.bench.ts).
 *
 * - MJML compile time per issue: compileIssue on the seed digest (Handlebars + MJML strict + the
 *   text part), median of 30 after warm-up;
 * - personalization throughput: personalize() per recipient, each result flattened to UTF-8 bytes as
 *   the MIME builder needs it (target ≥ 20,000 msgs/s), and its ratio to recompiling the MJML for
 *   every recipient (target ≥ 1,000×);
 * - the whole per-recipient build as a send does it: the unsubscribe token signed and the message
 *   filled into the issue's MIME skeleton; beside it, the same with nodemailer building each
 *   message whole (how it was done before the skeleton).
 * Prints a short human-readable block, then one BENCH_JSON line.
 */
import { fileURLToPath } from 'node:url';
import { articleFilesInDir } from '../functions/adapters/article-files.ts';
import { loadTemplatesFromDir } from '../functions/adapters/template-files.ts';
import { loadArticles } from '../functions/core/articles/load.ts';
import { digestView, summarizeArticles } from '../functions/core/issue/build.ts';
import { type Brand, compileIssue } from '../functions/core/render/compile.ts';
import {
  buildMessage,
  compileMessage,
  fillMessage,
  type MessageHeaders,
} from '../functions/core/render/mime.ts';
import { GMAIL_CLIP_BYTES, personalize } from '../functions/core/render/personalize.ts';
import { unsubscribeUrl } from '../functions/core/send/deliver.ts';
import { parseKeyring } from '../functions/core/tokens.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_RATE = 20_000;
const TARGET_RATIO = 1_000;

const brand: Brand = {
  name: 'The Weekly Digest',
  color: '#1a56db',
  postalAddress: 'Example Media, 1 Example Street, Springfield, USA',
  lang: 'en',
  publicUrl: 'https://digest.example.com',
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const templates = await loadTemplatesFromDir(`${ROOT}templates`);
const loaded = await loadArticles(await articleFilesInDir(`${ROOT}seeds`));
const view = digestView(
  '2026-01-05-bench',
  new Date('2026-01-05T06:00:00Z'),
  brand,
  summarizeArticles(loaded.articles).articles.map((a) => a.summary),
);

// 1. Compile once per issue.
for (let i = 0; i < 5; i++) await compileIssue(templates, view, brand);
const compileMs: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  await compileIssue(templates, view, brand);
  compileMs.push(performance.now() - t0);
}
const compileMedian = median(compileMs);
const compiled = await compileIssue(templates, view, brand);

// 2. Personalize per recipient: distinct addresses and URLs, every result flattened to bytes.
const keys = parseKeyring('bench:0123456789abcdef0123456789abcdef');
const recipients = Array.from({ length: 1_000 }, (_, i) => {
  const email = `reader${i}@example.org`;
  return { email, unsubscribeUrl: unsubscribeUrl(brand.publicUrl, keys, email) };
});
function personalizeRun(n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const body = personalize(compiled, recipients[i % recipients.length] as (typeof recipients)[number]);
    bytes += Buffer.byteLength(body.html) + Buffer.byteLength(body.text);
  }
  return bytes;
}
personalizeRun(20_000);
const rates: number[] = [];
let sink = 0;
for (let round = 0; round < 5; round++) {
  const n = 50_000;
  const t0 = performance.now();
  sink += personalizeRun(n);
  rates.push(n / ((performance.now() - t0) / 1000));
}
const personalizeRate = median(rates);
const recompileRate = 1000 / compileMedian;
const ratio = personalizeRate / recompileRate;

// 3. The whole per-recipient build (what each send pays before SES): token, then the message
// filled into the skeleton; and the same with a full nodemailer build per message, for comparison.
const headers: MessageHeaders = {
  from: { name: brand.name, address: 'digest@example.com' },
  subject: compiled.subject,
  listId: 'digest.example.com',
  listName: brand.name,
  unsubscribeMailto: 'unsubscribe@example.com',
  configurationSet: 'digest-events',
};
const skeleton = await compileMessage(compiled, headers);
async function skeletonRun(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const email = `full${i}@example.org`;
    sink += fillMessage(skeleton, {
      email,
      unsubscribeUrl: unsubscribeUrl(brand.publicUrl, keys, email),
    }).length;
  }
}
async function fullRun(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const email = `full${i}@example.org`;
    const url = unsubscribeUrl(brand.publicUrl, keys, email);
    const body = personalize(compiled, { email, unsubscribeUrl: url });
    const raw = await buildMessage({
      ...headers,
      to: email,
      html: body.html,
      text: body.text,
      unsubscribeUrl: url,
    });
    sink += raw.length;
  }
}
/** Messages per second of CPU time (load-independent), median of 5 rounds of n. */
async function cpuRate(run: (n: number) => Promise<void>, n: number): Promise<number> {
  await run(n / 10);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = process.cpuUsage();
    await run(n);
    const used = process.cpuUsage(before);
    rounds.push(n / ((used.user + used.system) / 1e6));
  }
  return median(rounds);
}
const skeletonRate = await cpuRate(skeletonRun, 20_000);
const fullRate = await cpuRate(fullRun, 1_000);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `seed digest: ${view.articles.length} article(s), compiled HTML ${(compiled.htmlBytes / 1024).toFixed(1)} KB (Gmail clips over ${GMAIL_CLIP_BYTES / 1024} KB)`,
);
console.log(
  `compile per issue (Handlebars + MJML strict + text): median ${compileMedian.toFixed(1)} ms (${compileMs.length} runs)`,
);
console.log(`personalize per recipient: ${fmt(personalizeRate)} msgs/s (target ≥ ${fmt(TARGET_RATE)})`);
console.log(
  `recompiling MJML per recipient instead: ${recompileRate.toFixed(1)} msgs/s → personalization is ${fmt(ratio)}× faster (target ≥ ${fmt(TARGET_RATIO)}×)`,
);
console.log(
  `token + MIME skeleton fill per recipient: ${fmt(skeletonRate)} msgs per CPU second (${(1000 / skeletonRate).toFixed(3)} ms each)`,
);
console.log(
  `token + personalize + full nodemailer build instead: ${fmt(fullRate)} msgs per CPU second (${(1000 / fullRate).toFixed(3)} ms each)`,
);
if (sink === 0) console.log('(no output?)');
console.log(
  `BENCH_JSON ${JSON.stringify({
    htmlBytes: compiled.htmlBytes,
    compileMsMedian: Number(compileMedian.toFixed(2)),
    personalizeMsgsPerSec: Math.round(personalizeRate),
    recompileMsgsPerSec: Number(recompileRate.toFixed(1)),
    personalizeVsRecompile: Math.round(ratio),
    skeletonMsgsPerCpuSec: Math.round(skeletonRate),
    fullMimeMsgsPerCpuSec: Math.round(fullRate),
    targets: { personalizeMsgsPerSec: TARGET_RATE, ratio: TARGET_RATIO, htmlBytes: GMAIL_CLIP_BYTES },
    met: personalizeRate >= TARGET_RATE && ratio >= TARGET_RATIO && compiled.htmlBytes < GMAIL_CLIP_BYTES,
  })}`,
);
