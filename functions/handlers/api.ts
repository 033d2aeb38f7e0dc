import { handle } from 'hono/aws-lambda';
import { DynamoRateLimitStore } from '../adapters/dynamo/rate-limit-store.ts';
import { logger } from '../adapters/logger.ts';
import { createApp } from '../http/app.ts';
import { type AppDeps, limitsFromConfig } from '../http/deps.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';
import { brandFromConfig, mailSettingsFromConfig } from '../wiring/settings.ts';

/**
 * The API function: the Hono app behind API Gateway (HTTP API, payload v2). Config and clients
 * come from the shared runtime (once per container); the token keys on first use.
 * This bundle must stay free of MJML: the confirmation email is precompiled (npm run templates).
 */
export function apiDeps(rt: Runtime): AppDeps {
  const settings = mailSettingsFromConfig(rt.config);
  return {
    subscribers: rt.stores.subscribers,
    rateLimits: new DynamoRateLimitStore(rt.clients.ddb, rt.config.RATE_LIMITS_TABLE),
    sender: rt.sender,
    tokenKeys: async () => (await rt.pipelineDeps()).tokenKeys,
    brand: brandFromConfig(rt.config),
    mail: { from: settings.from, replyTo: settings.replyTo, configurationSet: settings.configurationSet },
    limits: limitsFromConfig(rt.config),
    issues: rt.stores.issues,
    blobs: rt.blobs,
    log: {
      info: (message, data) => logger.info(message, { ...data }),
      warn: (message, data) => logger.warn(message, { ...data }),
      error: (message, data) => logger.error(message, { ...data }),
    },
  };
}

export function makeApiHandler(rt: Runtime) {
  return handle(createApp(apiDeps(rt)));
}

type ApiHandler = ReturnType<typeof makeApiHandler>;
let cached: ApiHandler | undefined;
export const handler = (event: Parameters<ApiHandler>[0], context: Parameters<ApiHandler>[1]) => {
  cached ??= makeApiHandler(runtime());
  return cached(event, context);
};
