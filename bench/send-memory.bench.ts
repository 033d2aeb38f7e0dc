/**
 * Peak memory of a 100,000-subscriber send: the real CLI, `digest send --dry-run` (the whole send
 * path except the SES call: paging, batch reads, suppression re-check, personalization, MIME),
 * in a process of its own, against dynalite and the SES emulator in processes of their own (as
 * DynamoDB and SES are outside the process on AWS). Peak RSS (VmHWM) must stay under 256 MB.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeClients } from '../functions/adapters/clients.ts';
import { ensureTables } from '../functions/adapters/dynamo/tables.ts';
import { parseConfig } from '../functions/wiring/config.ts';
import { tableNames } from '../functions/wiring/settings.ts';
import { seedSubscribers } from '../tests/helpers/seed.ts';
import { startEnginesProcess } from './engines.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const LIMIT_MB = 256;
/**
 * No Node flags are added: the CLI is started as `npx digest` starts it, by executing bin/digest.mjs,
 * whose shebang sets the command's own heap budget. BENCH_LAUNCH=node starts it as
 * `node bin/digest.mjs` instead, which skips the shebang (V8's default heap limit), for comparison.
 * BENCH_NODE_OPTIONS adds NODE_OPTIONS for experiments (the command line's flags win over them).
 */
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? '';
const LAUNCH = process.env.BENCH_LAUNCH === 'node' ? 'node bin/digest.mjs' : 'bin/digest.mjs';
const REPO = join(import.meta.dirname, '..');

/** VmHWM (peak resident set) and VmRSS of a process, in MB; undefined once it has exited. */
function memoryOf(pid: number | undefined): { peak: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { peak: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

const engines = await startEnginesProcess();
const root = await mkdtemp(join(tmpdir(), 'bench-memory-'));
const env = {
  DIGEST_DATA_DIR: join(root, 'data'),
  DIGEST_OUT_DIR: join(root, 'out'),
  DIGEST_TOKEN_SECRETS: 'bench:0123456789abcdef0123456789abcdef',
};
const config = parseConfig(env);
const clients = makeClients('us-east-1');
try {
  const seedStart = performance.now();
  await ensureTables(clients.dynamodb, tableNames(config));
  await seedSubscribers(clients.ddb, config.SUBSCRIBERS_TABLE, SUBSCRIBERS, { parallel: 8 });
  const seedSeconds = (performance.now() - seedStart) / 1000;
  console.log(`seeded                 ${SUBSCRIBERS} confirmed subscribers in ${seedSeconds.toFixed(1)} s`);

  const started = performance.now();
  const bin = join(REPO, 'bin', 'digest.mjs');
  // By default the executable itself (its shebang runs node), as npx runs it.
  const [command, args] =
    LAUNCH === 'bin/digest.mjs'
      ? [bin, ['send', '--dry-run']]
      : [process.execPath, [bin, 'send', '--dry-run']];
  const child = spawn(command, args, {
    cwd: REPO,
    env: {
      ...process.env,
      ...env,
      CI: '1',
      NODE_OPTIONS: [process.env.NODE_OPTIONS, NODE_OPTIONS].filter(Boolean).join(' '),
      // The shebang's `env` finds the same node as this process.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      // (The engines' SES quota, 10 million a day, lets the plan pass for any list here.)
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  let peak = 0;
  let samples = 0;
  let lastShown = 0;
  const timer = setInterval(() => {
    const m = memoryOf(child.pid);
    if (m) {
      peak = Math.max(peak, m.peak);
      samples++;
      // RSS over time shows whether memory grows with the list or stays flat.
      if (performance.now() - lastShown > 15_000) {
        lastShown = performance.now();
        const done = /(\d+)\/\d+ processed/g;
        let last = '0';
        for (let x = done.exec(stderr); x; x = done.exec(stderr)) last = x[1] ?? last;
        console.log(
          `  t=${((performance.now() - started) / 1000).toFixed(0)}s rss ${m.rss.toFixed(1)} MB, ${last} processed`,
        );
      }
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const built = Number(/Dry run: (\d+) message\(s\) built/.exec(stdout)?.[1] ?? Number.NaN);
  const enginesPeak = engines.peakMb();
  console.log(`dry run                ${built} messages built in ${seconds.toFixed(1)} s (exit ${code})`);
  console.log(
    `peak RSS (VmHWM)       ${peak.toFixed(1)} MB of the sending process (limit ${LIMIT_MB} MB; started as ${LAUNCH}, NODE_OPTIONS ${NODE_OPTIONS || '(none)'})`,
  );
  console.log(
    `engines' peak RSS      ${enginesPeak.toFixed(1)} MB (dynalite + SES emulator, outside the send path)`,
  );
  console.log(
    `load average           ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({
      subscribers: SUBSCRIBERS,
      built,
      peakRssMb: Number(peak.toFixed(1)),
      limitMb: LIMIT_MB,
      launch: LAUNCH,
      nodeOptions: NODE_OPTIONS,
      seconds: Number(seconds.toFixed(1)),
      perMessageMs: Number(((seconds * 1000) / Math.max(1, built)).toFixed(2)),
      samples,
      loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
    })}`,
  );
  if (code !== 0 || built !== SUBSCRIBERS || !(peak > 0 && peak < LIMIT_MB)) {
    if (code !== 0) console.error(stderr.slice(-3000));
    process.exitCode = 1;
  }
} finally {
  clients.dynamodb.destroy();
  engines.stop();
  await rm(root, { recursive: true, force: true });
}
