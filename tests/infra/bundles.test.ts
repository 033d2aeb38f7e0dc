import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BundleMeasure, MAX_BUNDLE_BYTES, measureBundles } from '../../infra/measure-bundles.ts';

/**
 * Rendering (MJML) happens only in the digest function: the API, send, feedback and fetch bundles
 * must not carry it and must each stay under 1 MB minified; no deployed bundle holds dev-only code
 * (functions/local/). Built with the stack's esbuild settings.
 */
const root = join(import.meta.dirname, '../..');
const isMjml = (name: string) => name === 'mjml' || name.startsWith('mjml-');

let bundles: Record<string, BundleMeasure>;
beforeAll(async () => {
  bundles = Object.fromEntries((await measureBundles(root)).map((m) => [m.key, m]));
}, 180_000);

describe('Lambda bundles', () => {
  it.each(['api', 'send', 'feedback', 'fetch'])('%s does not bundle mjml', (key) => {
    expect(bundles[key]?.packages.filter(isMjml)).toEqual([]);
  });

  it.each(['api', 'send', 'feedback', 'fetch'])('%s is under 1 MB minified', (key) => {
    expect(bundles[key]?.bytes).toBeGreaterThan(0);
    expect(bundles[key]?.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it.each(['digest', 'api', 'send', 'feedback', 'fetch'])('%s holds nothing from functions/local/', (key) => {
    const sources = bundles[key]?.sources ?? [];
    expect(sources.some((s) => s.startsWith('functions/handlers/'))).toBe(true);
    expect(sources.filter((s) => s.startsWith('functions/local/'))).toEqual([]);
  });

  it('digest carries the renderer, without the TypeScript compiler or the AWS SDK', () => {
    const packages = bundles.digest?.packages ?? [];
    expect(packages.some(isMjml)).toBe(true);
    expect(packages).not.toContain('typescript');
    expect(packages.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
  });
});
