/**
 * `npm run bench [name…]`: runs each bench/*.bench.ts in its own process (so memory figures are
 * not shared), one after another, and prints every result. A bench prints human-readable lines
 * and one `BENCH_JSON {...}` line with its figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const dir = join(import.meta.dirname, '.');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('BENCH_JSON ')) results[file] = JSON.parse(line.slice('BENCH_JSON '.length));
    else if (line.trim() !== '') console.log(line);
  }
  console.log(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${run.status})`);
  if (run.status !== 0) failed++;
}
console.log(`\nBENCH_RESULTS ${JSON.stringify(results)}`);
process.exit(failed > 0 ? 1 : 0);
