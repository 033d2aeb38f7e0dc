import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalContext, openLocalContext } from '../../functions/local/context.ts';
import { type Config, parseConfig } from '../../functions/wiring/config.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const SEEDS = join(REPO, 'seeds');
export const TEMPLATES = join(REPO, 'templates');

/** A throwaway data/out/seeds folder set, so a test never touches the developer's `.data/`. */
export async function tempWorkspace(options: { seeds?: string; env?: Record<string, string> } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'digest-test-'));
  const seeds = join(root, 'seeds');
  await cp(options.seeds ?? SEEDS, seeds, { recursive: true });
  const env = {
    DIGEST_DATA_DIR: join(root, 'data'),
    DIGEST_OUT_DIR: join(root, 'out'),
    DIGEST_SEEDS_DIR: seeds,
    DIGEST_TEMPLATES_DIR: TEMPLATES,
    DIGEST_TOKEN_SECRETS: 'test:0123456789abcdef0123456789abcdef',
    ...options.env,
  };
  const config: Config = parseConfig(env);
  return {
    root,
    seeds,
    env,
    config,
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A local context on in-memory dynalite and a fresh SES emulator, both on loopback. */
export async function localContext(config: Config): Promise<LocalContext> {
  return openLocalContext(config, { inMemory: true, onEvent: () => {} });
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

export async function emulatorStore(sesEndpoint: string): Promise<StoredEmail[]> {
  const res = await fetch(`${sesEndpoint}/store`);
  const body = (await res.json()) as { emails: StoredEmail[] };
  return body.emails;
}
