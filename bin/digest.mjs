#!/usr/bin/env -S node --max-old-space-size=192
// The `digest` command: runs the TypeScript CLI through tsx's loader (no build step).
//
// The shebang gives the command its own heap budget: Node reads heap limits only at start
// (v8.setFlagsFromString cannot change them later), and a re-exec would cost a second process.
// With V8's default limit a long `digest send` lets garbage pile up to several times its ~45 MB
// live heap before a full collection (RSS near 300 MB over 100,000 recipients); with 192 MB of old
// space it stays under 200 MB (BENCHMARKS.md). `npx digest`, `node_modules/.bin/digest` and
// `./bin/digest.mjs` run through the shebang; `npm start` passes the same flag; a Lambda function
// gets its limit from its memory size. `env -S` splits the arguments (GNU coreutils 8.30+, BSD/macOS).
import { register } from 'tsx/esm/api';

register();
process.env.DIGEST_CLI_MAIN = '1';
await import('../functions/cli/main.ts');
