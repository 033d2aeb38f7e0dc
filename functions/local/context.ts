import { join } from 'node:path';
import { articleFilesInDir } from '../adapters/article-files.ts';
import { FsBlobStore } from '../adapters/blob-store.ts';
import { type AwsClients, makeClients } from '../adapters/clients.ts';
import { ensureTables } from '../adapters/dynamo/tables.ts';
import { SesSender } from '../adapters/ses-sender.ts';
import { loadTemplatesFromDir } from '../adapters/template-files.ts';
import { DigestError } from '../core/errors.ts';
import type { PipelineDeps, RunEvent } from '../core/issue/prepare.ts';
import type { Config } from '../wiring/config.ts';
import {
  brandFromConfig,
  mailSettingsFromConfig,
  makeStores,
  resolveTokenKeys,
  tableNames,
} from '../wiring/settings.ts';
import { type LocalEngineOptions, type LocalEngines, localPaths, startLocalEngines } from './engines.ts';

export interface LocalContext {
  config: Config;
  engines: LocalEngines;
  clients: AwsClients;
  stores: ReturnType<typeof makeStores>;
  deps: PipelineDeps;
  sender: SesSender;
  close(): Promise<void>;
}

/**
 * Everything the CLI, the dev server and the tests need, wired against local engines (or the
 * endpoints the environment names). All local state lives under DIGEST_DATA_DIR.
 */
export async function openLocalContext(
  config: Config,
  options: { inMemory?: boolean; onEvent?: (e: RunEvent) => void; engines?: LocalEngineOptions } = {},
): Promise<LocalContext> {
  const paths = localPaths(config.DIGEST_DATA_DIR);
  let engines: LocalEngines;
  try {
    engines = await startLocalEngines({
      dynamoPath: options.inMemory ? undefined : paths.dynamo,
      ...options.engines,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/lock/i.test(message)) {
      throw new DigestError(
        `the local database in ${paths.dynamo} is in use by another process (is \`npm run dev\` running?). ` +
          'Stop it, or point this command at it with AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SES.',
        { cause: error },
      );
    }
    throw error;
  }
  const clients = makeClients(process.env.AWS_REGION ?? config.AWS_REGION);
  await ensureTables(clients.dynamodb, tableNames(config));
  const stores = makeStores(clients, config);
  const sender = new SesSender(clients.ses, clients.sesv2);
  const tokenKeys = await resolveTokenKeys(config, { localSecretFile: paths.secret });
  const deps: PipelineDeps = {
    ...stores,
    sender,
    blobs: new FsBlobStore(paths.blobs),
    listArticles: () => articleFilesInDir(config.DIGEST_SEEDS_DIR),
    loadTemplates: () => loadTemplatesFromDir(config.DIGEST_TEMPLATES_DIR),
    tokenKeys,
    settings: mailSettingsFromConfig(config),
    brand: brandFromConfig(config),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  return {
    config,
    engines,
    clients,
    stores,
    deps,
    sender,
    async close() {
      clients.ddb.destroy();
      clients.dynamodb.destroy();
      clients.ses.destroy();
      clients.sesv2.destroy();
      await engines.stop();
    },
  };
}

export { makeLimiter } from '../core/send/rate-limiter.ts';

export const outDirFor = (config: Config, issueId: string) => join(config.DIGEST_OUT_DIR, issueId);
