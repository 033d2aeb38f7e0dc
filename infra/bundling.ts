/**
 * Bundling settings shared by the stack (NodejsFunction) and the bundle-size bench/test, so the
 * sizes we measure are the sizes we deploy.
 */

/** Provided by the Lambda Node.js runtime: never bundled. */
export const RUNTIME_EXTERNALS = ['@aws-sdk/*'];

/**
 * Only reached through dynamic imports on the local path (functions/local/engines.ts starts them
 * when no AWS endpoint is configured). They are devDependencies and never run on Lambda.
 */
export const LOCAL_ONLY_EXTERNALS = ['dynalite', 'aws-ses-v2-local'];

/**
 * MJML's optional minifiers: `typescript` (6.5 MB) and `uglify-js` are required lazily by
 * mjml's dependencies but never called with our options. Only the digest function renders MJML.
 */
export const RENDER_EXTERNALS = ['typescript', 'uglify-js'];

export const ESBUILD_TARGET = 'node24';

/**
 * ESM output has no `require`; bundled CommonJS dependencies (handlebars, nodemailer) call it for
 * Node built-ins, so give the module one. Names are prefixed to avoid clashes with bundled code.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __digestCreateRequire } from 'node:module'; const require = __digestCreateRequire(import.meta.url);";

export type FunctionKey = 'digest' | 'send' | 'api' | 'feedback' | 'fetch';

export const FUNCTION_KEYS: readonly FunctionKey[] = ['digest', 'send', 'api', 'feedback', 'fetch'];

/** Externals for one function: the digest function alone carries the MJML renderer. */
export function externalsFor(key: FunctionKey): string[] {
  return [...RUNTIME_EXTERNALS, ...LOCAL_ONLY_EXTERNALS, ...(key === 'digest' ? RENDER_EXTERNALS : [])];
}

/** Handler entry file for a function, relative to the repository root. */
export const entryFile = (key: FunctionKey) => `functions/handlers/${key}.ts`;
