#!/usr/bin/env node
// The `digest` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
process.env.DIGEST_CLI_MAIN = '1';
await import('../functions/cli/main.ts');
