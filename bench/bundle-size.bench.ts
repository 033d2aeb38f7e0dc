/**
 * Bundle size of each Lambda function, built with the stack's own esbuild settings.
 * Prints a table and one BENCH_JSON line; asserts nothing (tests/infra-bundles.test.ts does).
 *   npm run bench bundle-size      or      npx tsx bench/bundle-size.bench.ts
 */
import { join } from 'node:path';
import { MAX_BUNDLE_BYTES, measureBundles } from '../infra/measure-bundles.ts';

const root = join(import.meta.dirname, '..');
const started = performance.now();
const measures = await measureBundles(root);
const elapsed = performance.now() - started;

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
console.log('function   bundle KB   map KB   mjml?   packages');
for (const m of measures) {
  const mjml = m.packages.some((p) => p === 'mjml' || p.startsWith('mjml-'));
  console.log(
    `${m.key.padEnd(10)} ${kb(m.bytes).padStart(9)}   ${kb(m.sourceMapBytes).padStart(6)}   ${(mjml ? 'yes' : 'no').padEnd(5)}   ${m.packages.length}`,
  );
}
console.log(
  `(limit for api/send/feedback/fetch: ${kb(MAX_BUNDLE_BYTES)} KB; bundled in ${(elapsed / 1000).toFixed(1)} s)`,
);
console.log(
  `BENCH_JSON ${JSON.stringify({
    unit: 'KB',
    bundles: Object.fromEntries(measures.map((m) => [m.key, Number(kb(m.bytes))])),
    sourceMaps: Object.fromEntries(measures.map((m) => [m.key, Number(kb(m.sourceMapBytes))])),
  })}`,
);
