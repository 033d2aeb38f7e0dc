import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { articleFilesInDir, articleFilesInStore } from '../adapters/article-files.ts';
import { FsBlobStore, S3BlobStore } from '../adapters/blob-store.ts';
import { type AwsClients, makeClients } from '../adapters/clients.ts';
import { SesSender } from '../adapters/ses-sender.ts';
import { loadTemplatesFromDir } from '../adapters/template-files.ts';
import type { PipelineDeps } from '../core/issue/prepare.ts';
import type { BlobStore } from '../core/ports.ts';
import { type Config, parseConfig } from './config.ts';
import { localPaths } from './local-paths.ts';
import { brandFromConfig, mailSettingsFromConfig, makeStores, resolveTokenKeys } from './settings.ts';

/**
 * What every Lambda handler shares: the config, parsed once at cold start, and clients made once
 * per container. Handlers export `makeHandler(runtime)` for tests and `handler` built from this.
 */
export interface Runtime {
  config: Config;
  clients: AwsClients & { s3: S3Client; sqs: SQSClient; ssm: SSMClient };
  stores: ReturnType<typeof makeStores>;
  blobs: BlobStore;
  sender: SesSender;
  /** Resolved on first use (an SSM call on AWS), then cached for the container's life. */
  pipelineDeps(): Promise<PipelineDeps>;
}

export function createRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  const config = parseConfig(env);
  const region = env.AWS_REGION ?? config.AWS_REGION;
  const clients = {
    ...makeClients(region),
    s3: new S3Client({ region }),
    sqs: new SQSClient({ region }),
    ssm: new SSMClient({ region }),
  };
  const stores = makeStores(clients, config);
  const blobs: BlobStore = config.DIGEST_BUCKET
    ? new S3BlobStore(clients.s3, config.DIGEST_BUCKET)
    : new FsBlobStore(localPaths(config.DIGEST_DATA_DIR).blobs);
  const sender = new SesSender(clients.ses, clients.sesv2);
  let deps: Promise<PipelineDeps> | undefined;
  return {
    config,
    clients,
    stores,
    blobs,
    sender,
    pipelineDeps() {
      deps ??= resolveTokenKeys(config, {
        ssm: clients.ssm,
        localSecretFile: config.DIGEST_BUCKET ? undefined : localPaths(config.DIGEST_DATA_DIR).secret,
      }).then((tokenKeys) => ({
        ...stores,
        sender,
        blobs,
        listArticles: () =>
          config.DIGEST_BUCKET ? articleFilesInStore(blobs) : articleFilesInDir(config.DIGEST_SEEDS_DIR),
        loadTemplates: () => loadTemplatesFromDir(config.DIGEST_TEMPLATES_DIR),
        tokenKeys,
        settings: mailSettingsFromConfig(config),
        brand: brandFromConfig(config),
      }));
      deps.catch(() => {
        deps = undefined; // a failed secret fetch is retried on the next invocation
      });
      return deps;
    },
  };
}

let shared: Runtime | undefined;
/** The container's runtime, created on first use (so importing a handler in a test costs nothing). */
export function runtime(): Runtime {
  shared ??= createRuntime();
  return shared;
}
