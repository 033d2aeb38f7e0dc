import { join } from 'node:path';
import type { AwsClients } from '../adapters/clients.ts';
import { ensureTables } from '../adapters/dynamo/tables.ts';
import type { SesSender } from '../adapters/ses-sender.ts';
import { DigestError } from '../core/errors.ts';
import type { RunEvent } from '../core/issue/events.ts';
import type { PipelineDeps } from '../core/pipeline.ts';
import type { Config } from '../wiring/config.ts';
import { localPaths } from '../wiring/local-paths.ts';
import { type Runtime, runtimeFromConfig, type Stores } from '../wiring/runtime.ts';
import { tableNames } from '../wiring/settings.ts';
import { type LocalEngineOptions, type LocalEngines, startLocalEngines } from './engines.ts';

export interface LocalContext {
  config: Config;
  engines: LocalEngines;
  runtime: Runtime;
  clients: AwsClients;
  stores: Stores;
  deps: PipelineDeps;
  sender: SesSender;
  close(): Promise<void>;
}

/**
 * The CLI's, the dev server's and the tests' runtime: the local engines on loopback (or the
 * endpoints the environment names), then the same composition root the Lambda handlers use.
 * All local state lives under DIGEST_DATA_DIR.
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
  // The SDK reads the endpoints the engines just set; the region too, when the config left it default.
  const runtime = runtimeFromConfig({ ...config, AWS_REGION: process.env.AWS_REGION ?? config.AWS_REGION });
  try {
    await ensureTables(runtime.clients.dynamodb, tableNames(config));
    const deps = await runtime.pipelineDeps();
    if (options.onEvent) deps.onEvent = options.onEvent;
    return {
      config,
      engines,
      runtime,
      clients: runtime.clients,
      stores: runtime.stores,
      deps,
      sender: runtime.sender,
      async close() {
        runtime.close();
        await engines.stop();
      },
    };
  } catch (error) {
    runtime.close();
    await engines.stop();
    throw error;
  }
}

export const outDirFor = (config: Config, issueId: string) => join(config.DIGEST_OUT_DIR, issueId);
