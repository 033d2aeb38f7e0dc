import { join } from 'node:path';
import { build } from 'esbuild';
import {
  ESBUILD_TARGET,
  ESM_REQUIRE_BANNER,
  entryFile,
  externalsFor,
  FUNCTION_KEYS,
  type FunctionKey,
} from './bundling.ts';

export interface BundleMeasure {
  key: FunctionKey;
  /** Size of the minified index.mjs (the source map ships beside it and is not counted). */
  bytes: number;
  sourceMapBytes: number;
  /** Packages in the bundle, by name (from esbuild's metafile). */
  packages: string[];
  /** The project's own files in the bundle, relative to the repository root. */
  sources: string[];
}

/** Name of the npm package an esbuild input path belongs to, if any. */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replaceAll('\\', '/'));
  return match?.[1];
}

/**
 * Bundles one handler in memory with the same esbuild options the stack's NodejsFunction uses
 * (infra/constructs/pipeline-function.ts + infra/bundling.ts) and reports its size and packages.
 */
export async function measureBundle(key: FunctionKey, repoRoot: string): Promise<BundleMeasure> {
  const result = await build({
    entryPoints: [join(repoRoot, entryFile(key))],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    outfile: join(repoRoot, 'cdk.out', 'measure', key, 'index.mjs'),
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: externalsFor(key),
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const packages = new Set<string>();
  const sources: string[] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (name) packages.add(name);
    else sources.push(input.replaceAll('\\', '/'));
  }
  return {
    key,
    bytes: js?.contents.byteLength ?? 0,
    sourceMapBytes: map?.contents.byteLength ?? 0,
    packages: [...packages].sort(),
    sources: sources.sort(),
  };
}

export async function measureBundles(repoRoot: string): Promise<BundleMeasure[]> {
  const out: BundleMeasure[] = [];
  for (const key of FUNCTION_KEYS) out.push(await measureBundle(key, repoRoot));
  return out;
}

export const MAX_BUNDLE_BYTES = 1024 * 1024;
