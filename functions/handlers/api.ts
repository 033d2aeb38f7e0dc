import { handle } from 'hono/aws-lambda';
import { appLog } from '../adapters/logger.ts';
import { createApp } from '../http/app.ts';
import type { AppDeps } from '../http/deps.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/**
 * The API function: the Hono app behind API Gateway (HTTP API, payload v2), its dependencies from
 * the composition root (once per container; the token keys on first use). This bundle must stay
 * free of MJML: the confirmation email is precompiled (npm run templates).
 */
export const apiDeps = (rt: Runtime): AppDeps => rt.appDeps({ log: appLog });

export function makeApiHandler(rt: Runtime) {
  return handle(createApp(apiDeps(rt)));
}

type ApiHandler = ReturnType<typeof makeApiHandler>;
let cached: ApiHandler | undefined;
export const handler = (event: Parameters<ApiHandler>[0], context: Parameters<ApiHandler>[1]) => {
  cached ??= makeApiHandler(runtime());
  return cached(event, context);
};
