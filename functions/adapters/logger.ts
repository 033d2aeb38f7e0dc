import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * The one structured (JSON) logger for the Lambda functions. Short lowercase messages; context
 * through `logger.appendKeys({ issueId })`, reset after every invocation by `withLogContext`.
 * Errors are passed as objects (`{ error }`) so their stack is kept. The CLI prints for people instead.
 */
export const logger = new Logger({ serviceName: 'newsletter-digest' });

/**
 * Wraps a handler so each invocation logs with its Lambda context (request id, cold start) and
 * starts from clean keys: a warm container never logs the previous invocation's issue id.
 */
export function withLogContext<E, R>(
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      return await handler(event, context);
    } catch (error) {
      logger.error('invocation failed', { error });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}

/** The HTTP app's log interface, backed by the structured logger. */
export const appLog = {
  info: (message: string, data?: Record<string, unknown>) => logger.info(message, { ...data }),
  warn: (message: string, data?: Record<string, unknown>) => logger.warn(message, { ...data }),
  error: (message: string, data?: Record<string, unknown>) => logger.error(message, { ...data }),
};
