import { bucketArticles, folderArticles, sideBySide } from '../adapters/article-files.ts';
import { FsBlobStore, S3BlobStore } from '../adapters/blob-store.ts';
import { type AwsClients, destroyClients, makeClients } from '../adapters/clients.ts';
import { DynamoDeliveryStore, DynamoRecipientLookup } from '../adapters/dynamo/delivery-store.ts';
import { DynamoIssueStore } from '../adapters/dynamo/issue-store.ts';
import { DynamoRateLimitStore } from '../adapters/dynamo/rate-limit-store.ts';
import { DynamoSourceStore } from '../adapters/dynamo/source-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store.ts';
import { digestUserAgent, HttpFetcher } from '../adapters/http/http-fetcher.ts';
import { SesSender } from '../adapters/ses-sender.ts';
import { SqsRecipientQueue } from '../adapters/sqs-queue.ts';
import { loadTemplatesFromDir } from '../adapters/template-files.ts';
import { resolveTokenKeys } from '../adapters/token-keys.ts';
import { ConfigError } from '../core/errors.ts';
import type { PipelineDeps } from '../core/pipeline.ts';
import type { ArticleStore, BlobStore, RecipientQueue, SendQuota } from '../core/ports.ts';
import type { Brand } from '../core/render/compile.ts';
import type { MailSettings } from '../core/send/deliver.ts';
import type { FetchEvent, FetchSourcesDeps, FetchSourcesOptions } from '../core/sources/fetch-sources.ts';
import type { DedupeDeps } from '../core/subscribers/dedupe.ts';
import type { TokenKey } from '../core/tokens.ts';
import type { AppDeps } from '../http/deps.ts';
import { type Config, parseConfig } from './config.ts';
import { localPaths } from './local-paths.ts';
import { brandFromConfig, limitsFromConfig, mailSettingsFromConfig, sendQuota } from './settings.ts';

export interface Stores {
  subscribers: DynamoSubscriberStore;
  deliveries: DynamoDeliveryStore;
  issues: DynamoIssueStore;
  rateLimits: DynamoRateLimitStore;
  /** The send-time suppression re-check, many recipients per call. */
  recipients: DynamoRecipientLookup;
  /** Feeds and pages the fetch run reads, and what became of their items. */
  sources: DynamoSourceStore;
}

/**
 * The composition root: the one place where validated config and clients become the
 * dependencies of the core, the HTTP app and the handlers. Every entry point builds its
 * dependencies here: the Lambda handlers (once per container, see `runtime()`), the CLI and the
 * dev server (through functions/local/context.ts, which first starts the local engines and points
 * the SDK's endpoint variables at them; that is the only difference).
 */
export interface Runtime {
  config: Config;
  clients: AwsClients;
  stores: Stores;
  /** Compiled issues and the archive: the bucket on AWS, the data folder locally. */
  blobs: BlobStore;
  /**
   * Where articles are read from and added to: the bucket's articles/ on AWS; locally
   * DIGEST_SEEDS_DIR (where `digest articles add` puts them) beside the fetched ones.
   */
  articles: ArticleStore;
  /** Where the fetch run writes: the bucket's articles/ on AWS, <DIGEST_DATA_DIR>/articles locally. */
  fetchedArticles: ArticleStore;
  /** The SSRF-checked HTTP client for sources, made on first use. */
  fetcher(): HttpFetcher;
  /** What `fetchSources` needs, with the caller's progress events. */
  fetchDeps(onEvent?: (event: FetchEvent) => void): FetchSourcesDeps;
  fetchOptions: FetchSourcesOptions;
  sender: SesSender;
  brand: Brand;
  settings: MailSettings;
  /** Resolved on first use (an SSM call on AWS), then kept for the container's life. */
  tokenKeys(): Promise<TokenKey[]>;
  pipelineDeps(): Promise<PipelineDeps>;
  /** The HTTP app's dependencies; `extra` adds the caller's logger (Lambda) or test hooks. */
  appDeps(extra?: Partial<Pick<AppDeps, 'log' | 'clientIp' | 'now'>>): AppDeps;
  /** What the mailbox-identity migration (dedupe, run before every send) needs. */
  dedupeDeps: DedupeDeps;
  /** The SES rate and 24-hour quota the send plan uses. */
  sendQuota(): Promise<SendQuota>;
  /** The recipient queue of the AWS fan-out (needs DIGEST_SEND_QUEUE_URL). */
  queue(): RecipientQueue;
  /** Closes the clients' sockets. */
  close(): void;
}

export function createRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  return runtimeFromConfig(parseConfig(env));
}

export function runtimeFromConfig(config: Config): Runtime {
  const clients = makeClients(config.AWS_REGION);
  const stores: Stores = {
    subscribers: new DynamoSubscriberStore(clients.ddb, config.SUBSCRIBERS_TABLE),
    deliveries: new DynamoDeliveryStore(
      clients.ddb,
      config.DELIVERIES_TABLE,
      config.DIGEST_DELIVERY_TTL_DAYS,
    ),
    issues: new DynamoIssueStore(clients.ddb, config.ISSUES_TABLE),
    rateLimits: new DynamoRateLimitStore(clients.ddb, config.RATE_LIMITS_TABLE),
    recipients: new DynamoRecipientLookup(clients.ddb, config.SUBSCRIBERS_TABLE),
    sources: new DynamoSourceStore(clients.ddb, config.SOURCES_TABLE),
  };
  const bucket = config.DIGEST_BUCKET;
  const local = localPaths(config.DIGEST_DATA_DIR);
  const blobs: BlobStore = bucket ? new S3BlobStore(clients.s3, bucket) : new FsBlobStore(local.blobs);
  const fetchedArticles = bucket
    ? bucketArticles(blobs, `s3://${bucket}/articles/`)
    : folderArticles(local.articles);
  // One place to read from: the pipeline (summarize, "only news", archive, send) has no second path.
  const articles = bucket
    ? fetchedArticles
    : sideBySide(folderArticles(config.DIGEST_SEEDS_DIR), fetchedArticles);
  const sender = new SesSender(clients.ses, clients.sesv2);
  const brand = brandFromConfig(config);
  const settings = mailSettingsFromConfig(config);

  let keys: Promise<TokenKey[]> | undefined;
  const tokenKeys = () => {
    keys ??= resolveTokenKeys({
      keyring: config.DIGEST_TOKEN_SECRETS,
      parameter: config.DIGEST_TOKEN_SECRETS_PARAMETER,
      ssm: clients.ssm,
      // Without a bucket this is a local run: the secret lives in the data folder.
      localSecretFile: bucket ? undefined : local.secret,
    });
    keys.catch(() => {
      keys = undefined; // a failed secret fetch is retried on the next invocation
    });
    return keys;
  };

  let fetcher: HttpFetcher | undefined;
  const getFetcher = () => {
    fetcher ??= new HttpFetcher({
      userAgent: digestUserAgent(brand.name, '1.0', brand.publicUrl),
      allowPrivate: config.DIGEST_ALLOW_PRIVATE_SOURCES,
      timeoutMs: config.DIGEST_FETCH_TIMEOUT_SECONDS * 1000,
      maxBytes: config.DIGEST_FETCH_MAX_BYTES,
    });
    return fetcher;
  };

  let deps: Promise<PipelineDeps> | undefined;
  return {
    config,
    clients,
    stores,
    blobs,
    articles,
    fetchedArticles,
    fetcher: getFetcher,
    fetchDeps: (onEvent) => ({
      sources: stores.sources,
      fetcher: getFetcher(),
      articles: fetchedArticles,
      clock: () => new Date(),
      ...(onEvent ? { onEvent } : {}),
    }),
    fetchOptions: {
      backlogDays: config.DIGEST_BACKLOG_DAYS,
      maxItemsPerSource: config.DIGEST_ITEMS_PER_SOURCE,
      concurrency: config.DIGEST_FETCH_CONCURRENCY,
    },
    sender,
    brand,
    settings,
    tokenKeys,
    pipelineDeps() {
      deps ??= tokenKeys().then(
        (resolved): PipelineDeps => ({
          issues: stores.issues,
          subscribers: stores.subscribers,
          deliveries: stores.deliveries,
          sender,
          blobs,
          articles,
          loadTemplates: () => loadTemplatesFromDir(config.DIGEST_TEMPLATES_DIR),
          tokenKeys: resolved,
          settings,
          brand,
          maxArticlesPerIssue: config.DIGEST_ITEMS_PER_ISSUE,
        }),
      );
      deps.catch(() => {
        deps = undefined;
      });
      return deps;
    },
    appDeps(extra = {}) {
      return {
        subscribers: stores.subscribers,
        rateLimits: stores.rateLimits,
        sender,
        tokenKeys,
        brand,
        mail: { from: settings.from, replyTo: settings.replyTo, configurationSet: settings.configurationSet },
        limits: limitsFromConfig(config),
        issues: stores.issues,
        blobs,
        ...extra,
      };
    },
    dedupeDeps: {
      subscribers: stores.subscribers,
      deliveries: stores.deliveries,
      issues: stores.issues,
      deliveryTtlDays: config.DIGEST_DELIVERY_TTL_DAYS,
    },
    sendQuota: () => sendQuota(config, sender),
    queue() {
      const url = config.DIGEST_SEND_QUEUE_URL;
      if (!url) {
        throw new ConfigError([
          'DIGEST_SEND_QUEUE_URL: required for the digest function to queue recipients',
        ]);
      }
      return new SqsRecipientQueue(clients.sqs, url);
    },
    close: () => {
      fetcher?.close();
      destroyClients(clients);
    },
  };
}

let shared: Runtime | undefined;
/** The container's runtime, created on first use (so importing a handler in a test costs nothing). */
export function runtime(): Runtime {
  shared ??= createRuntime();
  return shared;
}
