import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ConfigError } from '../core/errors.ts';
import { createApp } from '../http/app.ts';
import type { AppDeps } from '../http/deps.ts';
import { type Config, parseConfig } from '../wiring/config.ts';
import { type LocalContext, openLocalContext } from './context.ts';

/**
 * `npm run dev`: the HTTP app on @hono/node-server with dynalite (data under DIGEST_DATA_DIR) and
 * aws-ses-v2-local (its inbox viewer on SES_PORT) on loopback, so a person can subscribe, read the
 * confirmation mail in the viewer and follow its link. Tests and the bench start the same server
 * with port 0 and in-memory data.
 */
export interface DevServerOptions {
  config: Config;
  /** 0 picks a free port; links then use it unless DIGEST_PUBLIC_URL was set explicitly. */
  port: number;
  sesPort?: number;
  /** Keep DynamoDB data in memory (tests, bench) instead of under DIGEST_DATA_DIR. */
  inMemory?: boolean;
  /** Links in mail use this base URL; default DIGEST_PUBLIC_URL if set, else the server's own URL. */
  publicUrl?: string | undefined;
  /** Adjust the app's dependencies (tests raise or lower limits). */
  adjust?: (deps: AppDeps) => AppDeps;
}

export interface DevServer {
  url: string;
  sesUrl: string;
  ctx: LocalContext;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  let fetchApp: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  // Requests in flight, so that close() lets them finish before the engines stop under them.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = serve({
    fetch: async (req, env) => {
      if (!fetchApp) return new Response('starting', { status: 503 });
      inFlight++;
      try {
        return await fetchApp(req, env);
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
    },
    port: options.port,
    hostname: '127.0.0.1',
  });
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Links in mail (confirmation and digests sent from this context) point at this server.
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  let ctx: LocalContext;
  try {
    ctx = await openLocalContext(
      { ...options.config, DIGEST_PUBLIC_URL: publicUrl },
      {
        inMemory: options.inMemory,
        onEvent: () => {},
        ...(options.sesPort !== undefined ? { engines: { sesPort: options.sesPort } } : {}),
      },
    );
  } catch (error) {
    await closeServer();
    throw error;
  }
  let deps = ctx.runtime.appDeps();
  if (options.adjust) deps = options.adjust(deps);
  const app = createApp(deps);
  fetchApp = (req, env) => app.fetch(req, env);
  return {
    url,
    sesUrl: ctx.engines.sesEndpoint,
    ctx,
    deps,
    async close() {
      const closed = closeServer();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
      }
      // Keep-alive sockets (browsers, autocannon) would hold close() open.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await ctx.close();
    },
  };
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError([`${name}: must be a port number (0-65535), got "${raw}"`]);
  }
  return port;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = parseConfig();
  const port = portFrom('PORT', 3000);
  const sesPort = portFrom('SES_PORT', 8005);
  // DIGEST_PUBLIC_URL defaults to http://localhost:3000: follow PORT unless it was set on purpose.
  const publicUrl = process.env.DIGEST_PUBLIC_URL ?? `http://localhost:${port}`;
  const dev = await startDevServer({ config, port, sesPort, publicUrl });
  process.stdout.write(
    [
      `signup page:        ${publicUrl}/`,
      `  (listening on ${dev.url})`,
      `SES inbox viewer:   ${dev.sesUrl}/`,
      `DynamoDB (dynalite): ${dev.ctx.engines.dynamodbEndpoint}, data in ${config.DIGEST_DATA_DIR}`,
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await dev.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`dev server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
