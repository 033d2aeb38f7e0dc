/**
 * `npm run bench fetch`: a fetch run over 200 sources against a loopback server that answers
 * every request after 50 ms — first with every feed new (200 GETs, 3 full-text items each, so
 * 600 articles written and no page fetches), then with every feed unchanged (200 conditional GETs
 * answered 304), then more unchanged rounds to show memory stays flat. Each source has its own
 * host name (all resolved to 127.0.0.1 by the fetcher's resolver), so the per-host limit of 2
 * does not serialize them and the global bound (BENCH_CONCURRENCY, default 8) is what counts.
 * The sources table is on dynalite in a process of its own, so the RSS figures are the fetcher's.
 * Prints a short block, then one BENCH_JSON line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { folderArticles } from '../functions/adapters/article-files.ts';
import { makeClients } from '../functions/adapters/clients.ts';
import { DynamoSourceStore } from '../functions/adapters/dynamo/source-store.ts';
import { ensureTables } from '../functions/adapters/dynamo/tables.ts';
import { digestUserAgent, HttpFetcher } from '../functions/adapters/http/http-fetcher.ts';
import { fetchSources } from '../functions/core/sources/fetch-sources.ts';
import { startEnginesProcess } from './engines.ts';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 200);
const LATENCY_MS = 50;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const UNCHANGED_ROUNDS = 5;

// Distinct text for every story (a small deterministic word generator), so that no two of the
// 600 stories look like the same story to the near-duplicate detector.
const WORDS =
  'harbour council ferry bridge market school library river island tram clinic bakery museum festival orchard quay lighthouse station garden theatre workshop mayor nurse engineer fisher baker teacher driver volunteer planner repaired opened closed approved rejected extended funded painted rebuilt moved celebrated delayed measured counted north south east west old new small large quiet busy early late winter summer spring autumn morning evening'.split(
    ' ',
  );
function words(seed: number, count: number): string {
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 13;
    out.push(WORDS[(h >>> 0) % WORDS.length] as string);
  }
  return out.join(' ');
}
const paragraph = (i: number, j: number, k: number) =>
  `<p>${words(i * 1000 + j * 10 + k, 40)}. “${words(i * 7919 + j * 31 + k, 12)},” said resident ${i * 10 + j}.</p>`;

function feedOf(i: number, now: number): string {
  const items = [0, 1, 2]
    .map(
      (j) => `<item><title>Source ${i} story ${j}: lamp post ${i * 7 + j * 3}</title>
<link>http://src-${i}.bench.test/story/${j}</link><guid isPermaLink="false">s${i}-${j}</guid>
<pubDate>${new Date(now - (j + 1) * 3_600_000).toUTCString()}</pubDate>
<content:encoded><![CDATA[${[0, 1, 2, 3].map((k) => paragraph(i, j, k)).join('')}]]></content:encoded></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Source ${i}</title><link>http://src-${i}.bench.test/</link><description>bench</description>${items}</channel></rss>`;
}

const now = Date.now();
const feeds = Array.from({ length: SOURCES }, (_, i) => feedOf(i, now));
let requests = 0;
let notModified = 0;
const server = createServer((req, res) => {
  requests++;
  const timer = setTimeout(() => {
    const i = Number(/^\/feed\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? -1);
    const body = feeds[i];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"feed-${i}"`;
    if (req.headers['if-none-match'] === etag) {
      notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
  }, LATENCY_MS);
  res.once('close', () => clearTimeout(timer));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const engines = await startEnginesProcess();
const root = await mkdtemp(join(tmpdir(), 'bench-fetch-'));
const clients = makeClients('us-east-1');
const fetcher = new HttpFetcher({
  userAgent: digestUserAgent('digest-bench', '0.1.0', 'http://localhost:3000'),
  allowPrivate: true, // loopback only: every host name below resolves to 127.0.0.1
  resolver: async () => [{ address: '127.0.0.1', family: 4 }],
});

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
// A full collection before reading the live heap (RSS alone says little about growth).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeapMb = () => {
  gc();
  return mb(process.memoryUsage().heapUsed);
};
const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

try {
  const names = {
    subscribers: 'bench-subs',
    deliveries: 'bench-dels',
    issues: 'bench-issues',
    rateLimits: 'bench-limits',
    sources: 'bench-sources',
  };
  await ensureTables(clients.dynamodb, names);
  const sources = new DynamoSourceStore(clients.ddb, names.sources);
  for (let i = 0; i < SOURCES; i++) {
    await sources.add(
      { url: `http://src-${i}.bench.test:${port}/feed/${i}.xml`, name: `Source ${i}`, kind: 'rss' },
      new Date(),
    );
  }
  const deps = {
    sources,
    fetcher,
    articles: folderArticles(join(root, 'articles')),
    clock: () => new Date(),
  };

  const run = async () => {
    const before = requests;
    peakRss = process.memoryUsage().rss;
    const started = performance.now();
    let fetched = 0;
    const report = await fetchSources(
      {
        ...deps,
        onEvent: (e) => {
          if (e.type === 'source-fetched' && e.done === e.total) fetched = performance.now();
        },
      },
      { concurrency: CONCURRENCY },
    );
    const seconds = (performance.now() - started) / 1000;
    const made = requests - before;
    return {
      report,
      seconds,
      fetchSeconds: (fetched - started) / 1000,
      requests: made,
      perSecond: made / seconds,
      peakMb: mb(peakRss),
      heapMb: liveHeapMb(),
    };
  };

  const fresh = await run();
  const failed = fresh.report.sources.filter((s) => s.status === 'failed').length;
  const unchangedRuns = [];
  const notModifiedBefore = notModified;
  for (let r = 0; r < UNCHANGED_ROUNDS; r++) unchangedRuns.push(await run());
  const unchanged = unchangedRuns[0] as (typeof unchangedRuns)[number];
  const all304 = notModified - notModifiedBefore === SOURCES * UNCHANGED_ROUNDS;

  console.log(
    `sources                ${SOURCES} on one loopback server, ${LATENCY_MS} ms per answer, concurrency ${CONCURRENCY}`,
  );
  console.log(
    `all new                ${fresh.seconds.toFixed(2)} s, ${fresh.requests} requests (${fresh.perSecond.toFixed(0)}/s), ` +
      `${fresh.report.articles.length} articles written, ${failed} failed (fetching ${fresh.fetchSeconds.toFixed(2)} s); peak RSS ${fresh.peakMb} MB`,
  );
  console.log(
    `all unchanged (304)    ${unchanged.seconds.toFixed(2)} s, ${unchanged.requests} requests (${unchanged.perSecond.toFixed(0)}/s), ` +
      `${unchanged.report.articles.length} articles (fetching ${unchanged.fetchSeconds.toFixed(2)} s); peak RSS ${unchanged.peakMb} MB`,
  );
  console.log(`peak RSS per 304 round ${unchangedRuns.map((r) => r.peakMb).join(', ')} MB`);
  console.log(`live heap after rounds ${[fresh, ...unchangedRuns].map((r) => r.heapMb).join(', ')} MB`);
  console.log(`every revalidation 304 ${all304}`);
  console.log(
    `load average           ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({
      sources: SOURCES,
      latencyMs: LATENCY_MS,
      concurrency: CONCURRENCY,
      newWallSeconds: Number(fresh.seconds.toFixed(2)),
      newRequestsPerSecond: Number(fresh.perSecond.toFixed(1)),
      articlesWritten: fresh.report.articles.length,
      unchangedWallSeconds: Number(unchanged.seconds.toFixed(2)),
      unchangedRequestsPerSecond: Number(unchanged.perSecond.toFixed(1)),
      all304,
      peakRssMbNew: fresh.peakMb,
      peakRssMbPerUnchangedRound: unchangedRuns.map((r) => r.peakMb),
      liveHeapMbPerRound: [fresh, ...unchangedRuns].map((r) => r.heapMb),
      loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
    })}`,
  );
  if (failed > 0 || fresh.report.articles.length !== SOURCES * 3 || !all304) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  fetcher.close();
  clients.dynamodb.destroy();
  engines.stop();
  server.close();
  await rm(root, { recursive: true, force: true });
}
