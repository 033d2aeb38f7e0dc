import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigestError } from '../core/errors.ts';

/**
 * Starts the local, API-compatible stand-ins on loopback: dynalite for DynamoDB and
 * aws-ses-v2-local for SES, and points the SDK at them through its standard endpoint variables.
 * An endpoint variable that is already set wins: then nothing is started for that service.
 */
export interface LocalEngines {
  dynamodbEndpoint: string;
  sesEndpoint: string;
  /** Which engines this call started (the others were given by the environment). */
  started: ('dynalite' | 'ses')[];
  stop(): Promise<void>;
}

export interface LocalEngineOptions {
  /** Folder for dynalite's files; undefined keeps DynamoDB data in memory (tests). */
  dynamoPath?: string | undefined;
  sesPort?: number;
  dynamoPort?: number;
  /** SES account limits the emulator reports through GetAccount. */
  sesQuota?: { maxSendRate: number; max24HourSend: number; sentLast24Hours: number };
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_LOCAL_QUOTA = { maxSendRate: 50, max24HourSend: 200_000, sentLast24Hours: 0 };

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function startLocalEngines(options: LocalEngineOptions = {}): Promise<LocalEngines> {
  const env = options.env ?? process.env;
  // The SDK insists on credentials and a region even for loopback endpoints.
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const stops: (() => Promise<void>)[] = [];
  const started: LocalEngines['started'] = [];

  if (!env.AWS_ENDPOINT_URL_DYNAMODB) {
    const { default: dynalite } = await import('dynalite');
    if (options.dynamoPath) await mkdir(options.dynamoPath, { recursive: true });
    const server: Server = dynalite({
      path: options.dynamoPath,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    let port: number;
    try {
      port = await listen(server, options.dynamoPort ?? 0);
    } catch (error) {
      throw new DigestError(`could not start dynalite: ${(error as Error).message}`, { cause: error });
    }
    env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
    stops.push(async () => {
      await close(server);
      delete env.AWS_ENDPOINT_URL_DYNAMODB;
    });
    started.push('dynalite');
  }

  if (!env.AWS_ENDPOINT_URL_SES) {
    const quota = options.sesQuota ?? DEFAULT_LOCAL_QUOTA;
    // aws-ses-v2-local answers GetAccount from this variable (read per request).
    env.AWS_SES_ACCOUNT ??= JSON.stringify(sesAccount(quota));
    // A CommonJS module with `exports.default`: depending on the loader (node, tsx, vite) the
    // function arrives as `default` or as `default.default`.
    type Start = (config: { host: string; port: number }) => Promise<Server>;
    const sesModule = (await import('aws-ses-v2-local')) as unknown as {
      default: Start | { default: Start };
    };
    const startSes = typeof sesModule.default === 'function' ? sesModule.default : sesModule.default.default;
    let server: Server;
    try {
      server = await startSes({ host: '127.0.0.1', port: options.sesPort ?? 0 });
    } catch (error) {
      throw new DigestError(`could not start the SES emulator: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const port = (server.address() as AddressInfo).port;
    env.AWS_ENDPOINT_URL_SES = `http://127.0.0.1:${port}`;
    env.AWS_ENDPOINT_URL_SESV2 ??= env.AWS_ENDPOINT_URL_SES;
    stops.push(async () => {
      server.closeAllConnections?.();
      await close(server);
      delete env.AWS_ENDPOINT_URL_SES;
      delete env.AWS_ENDPOINT_URL_SESV2;
    });
    started.push('ses');
  }
  env.AWS_ENDPOINT_URL_SESV2 ??= env.AWS_ENDPOINT_URL_SES;

  return {
    dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB as string,
    sesEndpoint: env.AWS_ENDPOINT_URL_SES as string,
    started,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

export function sesAccount(quota: { maxSendRate: number; max24HourSend: number; sentLast24Hours: number }) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'local development',
      WebsiteURL: 'http://localhost',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: {
      Max24HourSend: quota.max24HourSend,
      MaxSendRate: quota.maxSendRate,
      SentLast24Hours: quota.sentLast24Hours,
    },
    SuppressionAttributes: { SuppressedReasons: [] },
  };
}
