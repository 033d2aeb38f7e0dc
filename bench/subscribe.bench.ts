/**
 * POST /subscribe on the local server, under a bounded load on loopback (autocannon, ≈5 s).
 * Run: npm run bench subscribe (or npx tsx bench/subscribe.bench.ts).
 *
 * The server is the dev server's (startDevServer): the Hono app on @hono/node-server, dynalite in
 * memory and aws-ses-v2-local, all in this one process exactly like `npm run dev`;
 * BENCH_ENGINES=process runs the two engines in processes of their own (bench/engines.ts), closer
 * to AWS where DynamoDB and SES are remote. autocannon runs in this process beside the app. Every
 * request is a new address (a real signup: two rate-limit counters, a conditional put, a
 * confirmation email built and sent); the per-IP limit is raised so the load is not refused.
 * Prints a short human-readable block, then one BENCH_JSON line.
 */
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { startDevServer } from '../functions/local/dev-server.ts';
import { parseConfig } from '../functions/wiring/config.ts';
import { type EnginesProcesses, startEnginesProcess } from './engines.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const INLINE = process.env.BENCH_ENGINES !== 'process';
const dataDir = `/tmp/digest-bench-subscribe-${process.pid}`;
const engines: EnginesProcesses | undefined = INLINE ? undefined : await startEnginesProcess();

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
const nextBody = () => JSON.stringify({ email: `bench-${process.pid}-${n++}@example.com` });
// Warm-up (JIT, connection pools), not measured.
const WARMUP = 100;
for (let i = 0; i < WARMUP; i++) {
  const res = await fetch(`${dev.url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: nextBody(),
  });
  await res.arrayBuffer();
}
await fetch(`${dev.sesUrl}/clear-store`, { method: 'POST' });
const cpuBefore = process.cpuUsage();
const enginesCpuBefore = engines?.cpuSeconds() ?? 0;
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
        body: nextBody(),
      }),
    },
  ],
});

const cpu = process.cpuUsage(cpuBefore);
const enginesCpuSeconds = (engines?.cpuSeconds() ?? 0) - enginesCpuBefore;
const mails = ((await (await fetch(`${dev.sesUrl}/store`)).json()) as { emails: unknown[] }).emails.length;
await dev.close();
engines?.stop();
await rm(dataDir, { recursive: true, force: true });

const ok = result['2xx'];
const figures = {
  engines: INLINE ? 'inline' : 'own processes',
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
  confirmationMails: mails,
  /** CPU of this process (app + autocannon) per request, and of the engine processes. */
  appCpuMsPerRequest: Number(
    ((cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total)).toFixed(2),
  ),
  enginesCpuMsPerRequest: INLINE
    ? null
    : Number(((enginesCpuSeconds * 1000) / Math.max(1, result.requests.total)).toFixed(2)),
  loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
};
const where = INLINE ? 'in this process' : 'in their own processes';
console.log(`POST /subscribe, ${CONNECTIONS} connections for ${DURATION_S} s on loopback, engines ${where}`);
console.log(`  (fresh address per request, after ${WARMUP} warm-up requests)`);
console.log(
  `  ${figures.reqPerSec} req/s; latency p50 ${figures.p50ms} ms, p99 ${figures.p99ms} ms, max ${figures.maxMs} ms`,
);
console.log(
  `  ${ok} answered 2xx, ${figures.non2xx} other, ${figures.errors} errors; ${mails} confirmation mails stored`,
);
const enginesCpu = INLINE ? '' : `; engines ${figures.enginesCpuMsPerRequest} ms`;
console.log(
  `  CPU per request: app + autocannon${INLINE ? ' + engines' : ''} ${figures.appCpuMsPerRequest} ms${enginesCpu}`,
);
console.log(
  `  load average (1 min) ${figures.loadAverage1m}: the machine is shared, so compare runs with care`,
);
console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
if (ok === 0 || figures.non2xx > 0 || figures.errors > 0) process.exitCode = 1;
