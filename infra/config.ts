import type { Node } from 'constructs';

/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json). Every key has a default,
 * so `npx cdk synth` needs no flags; a deploy that sends real mail sets at least `domain` and
 * `postalAddress`. Values from `-c` arrive as strings, so numbers and booleans are parsed here.
 */
export interface StackConfig {
  /** Names the stack `digest-<stage>` and each function `digest-<stage>-<name>`. */
  stage: string;
  /** The sending domain: verified in SES with Easy DKIM. */
  domain: string;
  /** Route 53 hosted zone of `domain`; when set, the DKIM CNAME records are created in it. */
  hostedZoneId: string | undefined;
  fromAddress: string;
  brandName: string;
  postalAddress: string;
  /** Public base URL for links in mail; defaults to the HTTP API's own URL. */
  publicUrl: string | undefined;
  unsubscribeMailto: string;
  listId: string;
  /** EventBridge Scheduler expression, evaluated in `scheduleTimeZone`. */
  scheduleExpression: string;
  scheduleTimeZone: string;
  /** When the fetch function fetches every source (its own schedule; same time zone). */
  fetchScheduleExpression: string;
  /** A source's first fetch takes items from this many days back; at most this many items per source and per issue. */
  backlogDays: number;
  itemsPerSource: number;
  itemsPerIssue: number;
  /** Account-wide SES send rate (messages per second) the pipeline must stay under. */
  sendRate: number;
  /** SES 24-hour sending quota of the account (the send plan checks the list against it). */
  dailyQuota: number;
  /** Max concurrent send functions (SQS event source `maxConcurrency`, 2–1000). */
  sendConcurrency: number;
  /** Send function timeout; the queue's visibility timeout is six times this. */
  sendTimeoutSeconds: number;
  apiRateLimit: number;
  apiBurstLimit: number;
  logRetentionDays: number;
  /** SSM SecureString holding the token keyring (`kid:secret,...`), created before deploying. */
  tokenSecretsParameter: string;
  /** Email address subscribed to the alarm topic (optional). */
  alarmEmail: string | undefined;
  /** Keep tables and the bucket when the stack is deleted (true for anything holding real data). */
  retainData: boolean;
}

export const DEFAULT_STAGE = 'dev';

export class StackConfigError extends Error {
  override name = 'StackConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid CDK context:\n  - ${problems.join('\n  - ')}`);
  }
}

type Context = Pick<Node, 'tryGetContext'>;

/** Reads and validates the stack settings; every bad key is reported at once. */
export function readStackConfig(node: Context): StackConfig {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const s = String(value).trim();
    return s === '' ? undefined : s;
  };
  const number = (key: string, fallback: number, check: (n: number) => boolean, rule: string): number => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !check(n)) {
      problems.push(`${key}: ${rule} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };
  const boolean = (key: string, fallback: boolean): boolean => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`${key}: must be true or false (got ${JSON.stringify(raw)})`);
    return fallback;
  };

  const stage = text('stage') ?? DEFAULT_STAGE;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    problems.push(`stage: 1-20 lowercase letters, digits or dashes, starting with a letter (got "${stage}")`);
  }
  const domain = (text('domain') ?? 'example.com').toLowerCase();
  if (!/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) {
    problems.push(`domain: must be a domain name like news.example.com (got "${domain}")`);
  }
  const email = (key: string, fallback: string) => {
    const value = text(key) ?? fallback;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
      problems.push(`${key}: must be an email address (got "${value}")`);
    return value;
  };
  const fromAddress = email('fromAddress', `digest@${domain}`);
  if (!fromAddress.toLowerCase().endsWith(`@${domain}`)) {
    problems.push(
      `fromAddress: must be an address at ${domain}, the verified identity (got "${fromAddress}")`,
    );
  }
  const publicUrl = text('publicUrl');
  if (publicUrl !== undefined && !/^https:\/\/[^\s/]+/.test(publicUrl)) {
    problems.push(`publicUrl: must be an https:// URL (got "${publicUrl}")`);
  }
  const sendRate = number(
    'sendRate',
    14,
    (n) => n > 0 && n <= 10_000,
    'must be a positive number of messages per second',
  );
  const dailyQuota = number(
    'dailyQuota',
    50_000,
    (n) => Number.isInteger(n) && n > 0,
    "must be the account's SES 24-hour quota (a positive whole number)",
  );
  const sendConcurrency = number(
    'sendConcurrency',
    2,
    (n) => Number.isInteger(n) && n >= 2 && n <= 1000,
    'must be an integer from 2 to 1000 (the SQS event source limit)',
  );
  const config: StackConfig = {
    stage,
    domain,
    hostedZoneId: text('hostedZoneId'),
    fromAddress,
    brandName: text('brandName') ?? 'The Weekly Digest',
    postalAddress: text('postalAddress') ?? 'Example Media, 1 Example Street, Springfield, USA',
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    unsubscribeMailto: email('unsubscribeMailto', `unsubscribe@${domain}`),
    listId: text('listId') ?? `digest.${domain}`,
    scheduleExpression: text('schedule') ?? 'cron(0 8 ? * MON *)',
    scheduleTimeZone: text('scheduleTimeZone') ?? 'Europe/London',
    fetchScheduleExpression: text('fetchSchedule') ?? 'rate(1 hour)',
    backlogDays: number('backlogDays', 7, (n) => n > 0 && n <= 365, 'must be between 1 and 365 days'),
    itemsPerSource: number(
      'itemsPerSource',
      5,
      (n) => Number.isInteger(n) && n > 0,
      'must be a whole number above 0',
    ),
    itemsPerIssue: number(
      'itemsPerIssue',
      12,
      (n) => Number.isInteger(n) && n > 0,
      'must be a whole number above 0',
    ),
    sendRate,
    dailyQuota,
    sendConcurrency,
    sendTimeoutSeconds: number(
      'sendTimeoutSeconds',
      120,
      (n) => Number.isInteger(n) && n >= 10 && n <= 900,
      'must be whole seconds from 10 to 900',
    ),
    apiRateLimit: number(
      'apiRateLimit',
      20,
      (n) => n > 0,
      'must be a positive number of requests per second',
    ),
    apiBurstLimit: number(
      'apiBurstLimit',
      40,
      (n) => Number.isInteger(n) && n > 0,
      'must be a positive integer',
    ),
    logRetentionDays: number(
      'logRetentionDays',
      30,
      (n) => Number.isInteger(n) && n > 0,
      'must be whole days',
    ),
    tokenSecretsParameter: text('tokenSecretsParameter') ?? `/digest/${stage}/token-secrets`,
    alarmEmail: text('alarmEmail'),
    retainData: boolean('retainData', true),
  };
  if (!/^(cron|rate|at)\(.+\)$/.test(config.scheduleExpression)) {
    problems.push(
      `schedule: must be a Scheduler expression like cron(0 8 ? * MON *) (got "${config.scheduleExpression}")`,
    );
  }
  if (!/^(cron|rate|at)\(.+\)$/.test(config.fetchScheduleExpression)) {
    problems.push(
      `fetchSchedule: must be a Scheduler expression like rate(1 hour) (got "${config.fetchScheduleExpression}")`,
    );
  }
  if (!/^\/?[A-Za-z0-9_.\-/]+$/.test(config.tokenSecretsParameter)) {
    problems.push(
      `tokenSecretsParameter: must be an SSM parameter name (got "${config.tokenSecretsParameter}")`,
    );
  }
  if (config.alarmEmail !== undefined) email('alarmEmail', config.alarmEmail);
  if (problems.length > 0) throw new StackConfigError(problems);
  return config;
}

export const functionName = (stage: string, key: string) => `digest-${stage}-${key}`;
