import { z } from 'zod';
import { ConfigError, ValidationError } from '../core/errors.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';

/**
 * One validated configuration, parsed once from the environment (at cold start in a Lambda,
 * at startup in the CLI). Every bad or missing key is reported together, by its variable name.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** "true"/"false" (also 1/0, yes/no); anything else is named as wrong rather than read as false. */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .default(false);

/**
 * Text that ends up in a mail header or on one line of a page: no line breaks or other control
 * characters (a CR/LF in a display name would start a header of the attacker's choosing).
 */
const oneLine = (what: string) =>
  z
    .string()
    .trim()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((v) => !/[\u0000-\u001f\u007f-\u009f]/.test(v), {
      message: `${what} must be one line without control characters (no CR, LF, tab or escape)`,
    });

/** One mailbox, checked by the same rule as every subscriber address (no lists, no display names). */
const singleAddress = z.string().transform((value, ctx) => {
  try {
    return normalizeAddress(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a single email address: ${error instanceof ValidationError ? error.message : String(error)}`,
    });
    return z.NEVER;
  }
});

/** Links in mail and pages are built on it: only a web address will do (no javascript:, data:, file:). */
const webUrl = z.url({ message: 'must be an absolute URL' }).refine((v) => /^https?:\/\//i.test(v), {
  message: 'must be an http:// or https:// URL',
});

const schema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  DIGEST_DATA_DIR: z.string().default('.data'),
  DIGEST_SEEDS_DIR: z.string().default('seeds'),
  DIGEST_OUT_DIR: z.string().default('out'),
  DIGEST_TEMPLATES_DIR: z.string().default('templates'),

  DIGEST_FROM_ADDRESS: z.email({ message: 'must be an email address' }).default('digest@example.com'),
  DIGEST_BRAND_NAME: oneLine('the brand name').pipe(z.string().min(1)).default('The Weekly Digest'),
  /** Display name in From; defaults to the brand name. */
  DIGEST_FROM_NAME: oneLine('the From name')
    .pipe(z.string().max(100, 'must be at most 100 characters'))
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
  /** Reply-To: one address, or unset. */
  DIGEST_REPLY_TO: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(singleAddress.optional())
    .optional(),
  DIGEST_LIST_ID: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a dotted name like digest.example.com')
    .default('digest.example.com'),
  DIGEST_PUBLIC_URL: webUrl.default('http://localhost:3000'),
  DIGEST_UNSUBSCRIBE_MAILTO: z.email().default('unsubscribe@example.com'),
  DIGEST_POSTAL_ADDRESS: z.string().min(1).default('Example Media, 1 Example Street, Springfield, USA'),
  DIGEST_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour like #1a56db')
    .default('#1a56db'),
  DIGEST_LANG: z.string().default('en'),
  DIGEST_SES_CONFIGURATION_SET: optionalString,

  SUBSCRIBERS_TABLE: z.string().min(3).default('digest-subscribers'),
  DELIVERIES_TABLE: z.string().min(3).default('digest-deliveries'),
  ISSUES_TABLE: z.string().min(3).default('digest-issues'),
  RATE_LIMITS_TABLE: z.string().min(3).default('digest-rate-limits'),
  SOURCES_TABLE: z.string().min(3).default('digest-sources'),

  /** Let sources resolve to loopback/private addresses (local development and tests only). */
  DIGEST_ALLOW_PRIVATE_SOURCES: flag,
  /** A source's first fetch takes items published in this many days only. */
  DIGEST_BACKLOG_DAYS: positiveNumber(7),
  DIGEST_ITEMS_PER_SOURCE: positiveInt(5),
  DIGEST_ITEMS_PER_ISSUE: positiveInt(12),
  /** One deadline per fetch (connect, redirects and the whole body). */
  DIGEST_FETCH_TIMEOUT_SECONDS: positiveNumber(15),
  DIGEST_FETCH_MAX_BYTES: positiveInt(5 * 1024 * 1024),
  /** Requests in flight across all sources (at most 2 per host whatever this says). */
  DIGEST_FETCH_CONCURRENCY: positiveInt(8),
  /** S3 bucket for articles and the archive on AWS; unset means the local folders. */
  DIGEST_BUCKET: optionalString,

  /** Messages per second; unset means SES MaxSendRate from the account's quota. */
  DIGEST_SEND_RATE: z.coerce.number().positive().optional(),
  /**
   * SES 24-hour quota. When set (the stack sets it), the send plan uses it and DIGEST_SEND_RATE
   * instead of asking SES: ses:GetAccount can only be granted on Resource "*".
   */
  DIGEST_DAILY_QUOTA: z.coerce.number().int().positive().optional(),
  DIGEST_SEND_CONCURRENCY: positiveNumber(8),
  /** Max concurrent send functions on AWS (the SQS event source's maxConcurrency): each takes rate / this. */
  DIGEST_SEND_FUNCTION_CONCURRENCY: positiveNumber(2),
  /** SQS queue of recipients for the send function (AWS fan-out). */
  DIGEST_SEND_QUEUE_URL: optionalString,
  DIGEST_DELIVERY_TTL_DAYS: positiveNumber(90),

  /** HMAC secrets for tokens: "kid:secret" pairs separated by commas; the first signs. */
  DIGEST_TOKEN_SECRETS: optionalString,
  /** On AWS: an SSM SecureString parameter holding DIGEST_TOKEN_SECRETS. */
  DIGEST_TOKEN_SECRETS_PARAMETER: optionalString,
  DIGEST_CONFIRM_TOKEN_HOURS: positiveNumber(48),
  DIGEST_SIGNUPS_PER_MINUTE_PER_IP: positiveNumber(20),
  /** Confirmation mails per mailbox in any 24 hours (a sliding window over the mails sent). */
  DIGEST_CONFIRM_MAILS_PER_DAY: z.coerce.number().int().positive().default(3),
  /** At least this many minutes between two confirmation mails to one mailbox. */
  DIGEST_CONFIRM_RESEND_MINUTES: positiveNumber(10),
  DIGEST_MAX_BODY_BYTES: positiveNumber(16 * 1024),
  DIGEST_FUNCTION_NAME: optionalString,
});

export type Config = z.infer<typeof schema>;

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
