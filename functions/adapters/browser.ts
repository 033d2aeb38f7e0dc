import { constants, existsSync } from 'node:fs';
import { access, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DigestError, errorMessage } from '../core/errors.ts';

/**
 * The one Chromium launcher: the CLI preview, the tests and (later) a Lambda all start their
 * browser here. A browser always exists: `@sparticuz/chromium` ships one inside the npm package.
 */

/** Debian's `chromium` package: preferred when installed, as the distribution keeps it patched. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE = '@sparticuz/chromium';

// Headless (launch option below), and nothing that phones home: pages are rendered offline.
// Not the package's `chromium.args`: they are for Lambda, and --single-process there makes the
// second page of a browser crash on a desktop; its binary needs none of them to run here.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'npm';

export interface ChromiumExecutable {
  path: string;
  source: ChromiumSource;
}

/** No browser could be found or started; the message says which one and why. */
export class BrowserError extends DigestError {
  override name = 'BrowserError';
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    // A file, not just anything with X_OK: root passes X_OK on directories, and a system browser
    // hidden by a bind-mounted /dev/null is a character device.
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `CHROMIUM_PATH` if set, else Debian's Chromium when installed, else the npm package's. */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumExecutable> {
  const override = env.CHROMIUM_PATH;
  if (override) {
    if (!(await isExecutableFile(override))) {
      throw new BrowserError(`CHROMIUM_PATH=${override} is not an executable file`);
    }
    return { path: override, source: 'CHROMIUM_PATH' };
  }
  if (await isExecutableFile(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'system' };
  return { path: await packagedChromium(), source: 'npm' };
}

export function describeChromium(executable: ChromiumExecutable): string {
  const from = { CHROMIUM_PATH: 'CHROMIUM_PATH', system: 'system Chromium', npm: PACKAGE };
  return `${from[executable.source]}: ${executable.path}`;
}

/** Headless Chromium; a browser that cannot start is a BrowserError naming the executable. */
export async function launchChromium(executable?: ChromiumExecutable): Promise<Browser> {
  const chosen = executable ?? (await resolveChromium());
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath: chosen.path,
      args: CHROMIUM_ARGS,
      headless: true,
      env: chosen.source === 'npm' ? withPackagedLibraries(chosen.path) : process.env,
    });
  } catch (error) {
    throw new BrowserError(`could not start Chromium (${describeChromium(chosen)}): ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/**
 * The npm browser links NSS, NSPR and expat, which a slim Linux may lack; the package ships the
 * ones it was built with (for Amazon Linux 2023, glibc 2.34+). Off Lambda they are unpacked
 * beside the binary, so that browser needs nothing from the system but glibc.
 */
function withPackagedLibraries(executable: string): NodeJS.ProcessEnv {
  const lib = join(dirname(executable), 'al2023', 'lib');
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return process.env; // the package set it up at import
  const current = process.env.LD_LIBRARY_PATH;
  return { ...process.env, LD_LIBRARY_PATH: current ? `${lib}:${current}` : lib };
}

/** Sets environment variables for one synchronous call, then puts them back. */
function withEnv<T>(overrides: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(overrides).map((key) => [key, process.env[key]]));
  Object.assign(process.env, overrides);
  try {
    return fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

// One unpack per process, however many browsers it launches at once.
let unpacking: Promise<string> | undefined;

function packagedChromium(): Promise<string> {
  unpacking ??= unpackChromium().catch((error: unknown) => {
    unpacking = undefined;
    throw new BrowserError(`could not unpack ${PACKAGE}: ${errorMessage(error)}`, { cause: error });
  });
  return unpacking;
}

async function unpackChromium(): Promise<string> {
  // The package's own bin/ holds one build (its arm64 pack is a separate download).
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `it ships a Linux x86-64 browser, and this is ${process.platform} ${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome`,
    );
  }
  const load = async () => (await import('@sparticuz/chromium')).default;
  // On Lambda /tmp belongs to this function alone, and the package points the Amazon Linux
  // libraries and fonts it unpacks at /tmp: use it exactly as it is made to be used.
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return (await load()).executablePath();

  // Elsewhere the package's cache (`$TMPDIR/chromium`, for any version) is shared with every
  // other project and process, and it is visible while still being written: parallel test workers
  // would start a half-written binary. So unpack into a private folder and rename it, complete,
  // to a name that carries the version; whoever renames first wins and the others use theirs.
  // Per user too: /tmp is shared, and the folder is private to whoever unpacked it.
  const dir = join(
    tmpdir(),
    `newsletter-digest-chromium-${await packageVersion()}-${process.getuid?.() ?? 0}`,
  );
  const executable = join(dir, 'chromium');
  if (await isExecutableFile(executable)) return executable;

  const chromium = await load();
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    // The package unpacks into os.tmpdir(), and adds the Amazon Linux libraries only when it
    // believes it runs on a Node 24 Lambda; it reads both synchronously, before its first await.
    const unpacked = await withEnv({ TMPDIR: staging, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, () =>
      chromium.executablePath(),
    );
    if (unpacked !== join(staging, 'chromium') || !existsSync(join(staging, 'al2023', 'lib', 'libnss3.so'))) {
      throw new Error(`it did not unpack the browser and its libraries into ${staging}`);
    }
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another process finished first: its copy is complete, use it.
      if (!(await isExecutableFile(executable))) throw error;
    }
    return executable;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The installed package's version (its package.json is not exported, so find it on disk). */
async function packageVersion(): Promise<string> {
  let dir = dirname(createRequire(import.meta.url).resolve(PACKAGE));
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === PACKAGE && pkg.version) return pkg.version;
    } catch {
      // No package.json at this level: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json for ${PACKAGE}`);
    dir = parent;
  }
}
