import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured (JSON) logger for the Lambda functions. Short lowercase messages; context
 * through `logger.appendKeys({ issueId })`. The CLI prints for people instead.
 */
export const logger = new Logger({ serviceName: 'newsletter-digest' });
