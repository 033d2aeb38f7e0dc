import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ConfigError, ValidationError } from '../core/errors.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';

/**
 * One validated configuration, parsed once from the environment (at cold start in a Lambda,
 * at startup in the CLI). Every bad or missing key is reported together, by its variable name.
 * zod/mini (functional checks) rather than zod's chained API: the same checks, about 20 KB instead
 * of 450 KB in every Lambda bundle.
 */
z.config(en());

const blankToUndefined = (v: string) => (v === '' ? undefined : v);

const optionalString = z.optional(z.pipe(z.string().check(z.trim()), z.transform(blankToUndefined)));

const positiveNumber = (fallback: number) => z._default(z.coerce.number().check(z.positive()), fallback);

const positiveInt = (fallback: number) =>
  z._default(
    z.coerce.number().check(z.positive(), z.refine(Number.isInteger, 'must be a whole number')),
    fallback,
  );

/** "true"/"false" (also 1/0, yes/no); anything else is named as wrong rather than read as false. */
const flag = z._default(
  z.pipe(
    z.enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'must be true or false' }),
    z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
  ),
  false,
);

/**
 * Text that ends up in a mail header or on one line of a page: no line breaks or other control
 * characters (a CR/LF in a display name would start a header of the attacker's choosing).
 */
const oneLine = (what: string) =>
  z.string().check(
    z.trim(),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    z.refine((v: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(v), {
      message: `${what} must be one line without control characters (no CR, LF, tab or escape)`,
    }),
  );

/** One mailbox, checked by the same rule as every subscriber address (no lists, no display names). */
const singleAddress = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    try {
      return normalizeAddress(value);
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `must be a single email address: ${error instanceof ValidationError ? error.message : String(error)}`,
      });
      return z.NEVER;
    }
  }),
);

/** Links in mail and pages are built on it: only a web address will do (no javascript:, data:, file:). */
const webUrl = z
  .url({ message: 'must be an absolute URL' })
  .check(z.refine((v: string) => /^https?:\/\//i.test(v), { message: 'must be an http:// or https:// URL' }));

const str = (fallback: string) => z._default(z.string(), fallback);
const tableName = (fallback: string) => z._default(z.string().check(z.minLength(3)), fallback);

const schema = z.object({
  AWS_REGION: str('us-east-1'),
  DIGEST_DATA_DIR: str('.data'),
  DIGEST_SEEDS_DIR: str('seeds'),
  DIGEST_OUT_DIR: str('out'),
  DIGEST_TEMPLATES_DIR: str('templates'),

  DIGEST_FROM_ADDRESS: z._default(z.email({ message: 'must be an email address' }), 'digest@example.com'),
  DIGEST_BRAND_NAME: z._default(
    oneLine('the brand name').check(z.minLength(1, 'must not be empty')),
    'The Weekly Digest',
  ),
  /** Display name in From; defaults to the brand name. */
  DIGEST_FROM_NAME: z.optional(
    z.pipe(
      oneLine('the From name').check(z.maxLength(100, 'must be at most 100 characters')),
      z.transform(blankToUndefined),
    ),
  ),
  /** Reply-To: one address, or unset. */
  DIGEST_REPLY_TO: z.optional(
    z.pipe(z.pipe(z.string().check(z.trim()), z.transform(blankToUndefined)), z.optional(singleAddress)),
  ),
  DIGEST_LIST_ID: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9.-]+$/, 'must be a dotted name like digest.example.com')),
    'digest.example.com',
  ),
  DIGEST_PUBLIC_URL: z._default(webUrl, 'http://localhost:3000'),
  DIGEST_UNSUBSCRIBE_MAILTO: z._default(z.email(), 'unsubscribe@example.com'),
  DIGEST_POSTAL_ADDRESS: z._default(
    z.string().check(z.minLength(1)),
    'Example Media, 1 Example Street, Springfield, USA',
  ),
  DIGEST_BRAND_COLOR: z._default(
    z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour like #1a56db')),
    '#1a56db',
  ),
  DIGEST_LANG: str('en'),
  DIGEST_SES_CONFIGURATION_SET: optionalString,

  SUBSCRIBERS_TABLE: tableName('digest-subscribers'),
  DELIVERIES_TABLE: tableName('digest-deliveries'),
  ISSUES_TABLE: tableName('digest-issues'),
  RATE_LIMITS_TABLE: tableName('digest-rate-limits'),
  SOURCES_TABLE: tableName('digest-sources'),

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
  DIGEST_SEND_RATE: z.optional(z.coerce.number().check(z.positive())),
  /**
   * SES 24-hour quota. When set (the stack sets it), the send plan uses it and DIGEST_SEND_RATE
   * instead of asking SES: ses:GetAccount can only be granted on Resource "*".
   */
  DIGEST_DAILY_QUOTA: z.optional(
    z.coerce.number().check(z.positive(), z.refine(Number.isInteger, 'must be a whole number')),
  ),
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
  DIGEST_CONFIRM_MAILS_PER_DAY: positiveInt(3),
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
