/**
 * POST /subscribe on the local server, under a bounded load on loopback (autocannon, ≈5 s).
 * Run: npm run bench subscribe (or npx tsx bench/subscribe.bench.ts).
 *
 * The server is the dev server's topology (startDevServer): the Hono app on @hono/node-server,
 * dynalite in memory and aws-ses-v2-local, all in this one process, with autocannon beside them,
 * so the figure is a floor for one Node process on this machine, not a Lambda figure. Every
 * request is a new address (a real signup: two rate-limit counters, a conditional put, a
 * confirmation email built and sent); the per-IP limit is raised so the load is not refused.
 * Prints a short human-readable block, then one BENCH_JSON line.
 */
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { parseConfig } from '../functions/config.ts';
import { startDevServer } from '../functions/local/dev-server.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const dataDir = `/tmp/digest-bench-subscribe-${process.pid}`;

const config = parseConfig({
  ...process.env,
  DIGEST_DATA_DIR: dataDir,
  DIGEST_TOKEN_SECRETS: 'bench:0123456789abcdef0123456789abcdef',
});
const dev = await startDevServer({
  config,
  port: 0,
  inMemory: true,
  adjust: (deps) => ({ ...deps, limits: { ...deps.limits, signupsPerMinutePerIp: 1e9 } }),
});

let n = 0;
const result = await autocannon({
  url: `${dev.url}/subscribe`,
  method: 'POST',
  connections: CONNECTIONS,
  duration: DURATION_S,
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ email: `bench-${process.pid}-${n++}@example.com` }),
      }),
    },
  ],
});

const pending = await dev.ctx.stores.subscribers.countByStatus('pending');
const mails = ((await (await fetch(`${dev.sesUrl}/store`)).json()) as { emails: unknown[] }).emails.length;
await dev.close();
await rm(dataDir, { recursive: true, force: true });

const ok = result['2xx'];
const figures = {
  seconds: DURATION_S,
  connections: CONNECTIONS,
  requests: result.requests.total,
  reqPerSec: Number(result.requests.average.toFixed(1)),
  p50ms: result.latency.p50,
  p99ms: result.latency.p99,
  maxMs: result.latency.max,
  ok2xx: ok,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  storedPending: pending,
  confirmationMails: mails,
  loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
};
console.log(
  `POST /subscribe, ${CONNECTIONS} connections for ${DURATION_S} s on loopback (fresh address each)`,
);
console.log(
  `  ${figures.reqPerSec} req/s; latency p50 ${figures.p50ms} ms, p99 ${figures.p99ms} ms, max ${figures.maxMs} ms`,
);
console.log(
  `  ${ok} answered 2xx, ${figures.non2xx} other, ${figures.errors} errors; ${pending} pending subscribers and ${mails} confirmation mails stored`,
);
console.log(
  `  load average (1 min) ${figures.loadAverage1m}: the machine is shared, so compare runs with care`,
);
console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
if (ok === 0 || figures.non2xx > 0 || figures.errors > 0) process.exitCode = 1;
