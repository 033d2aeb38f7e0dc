/** Typed errors: each names what is wrong so the CLI, the API and the logs can say it plainly. */

export class DigestError extends Error {
  override name = 'DigestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Configuration is missing or invalid; `issues` lists every bad key. */
export class ConfigError extends DigestError {
  override name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

/** An article file cannot be used (empty, binary, unreadable, broken front matter). */
export class ArticleError extends DigestError {
  override name = 'ArticleError';
  constructor(
    readonly file: string,
    reason: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`, options);
  }
}

/** A template does not compile (MJML or Handlebars); names the template file and line. */
export class TemplateError extends DigestError {
  override name = 'TemplateError';
  constructor(
    readonly file: string,
    reason: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(`template ${file}${line ? `:${line}` : ''}: ${reason}`, options);
  }
}

/** Bad input from a person or a request (address, token, argument). */
export class ValidationError extends DigestError {
  override name = 'ValidationError';
}

export class NotFoundError extends DigestError {
  override name = 'NotFoundError';
}

/** SES refuses to send at all (account paused, daily quota used up): stop the whole run. */
export class SendingHaltedError extends DigestError {
  override name = 'SendingHaltedError';
  constructor(
    readonly reason: 'paused' | 'quota' | 'plan',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A size for people: `2.9 MiB`, `640 KiB`, `812 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

/** "3 MiB, over the 1 MiB limit"; exact byte counts when rounding would make the two look equal. */
export function overLimit(size: number | undefined, limit: number): string {
  if (size === undefined) return `larger than the ${formatBytes(limit)} limit`;
  const [a, b] = [formatBytes(size), formatBytes(limit)];
  return a === b ? `${size} bytes, over the ${limit}-byte (${b}) limit` : `${a}, over the ${b} limit`;
}

/**
 * An input over its size limit, refused before it is read whole: names what it is, its size when
 * known, and the limit.
 */
export class TooLargeError extends DigestError {
  override name = 'TooLargeError';
  constructor(
    readonly what: string,
    readonly size: number | undefined,
    readonly limit: number,
  ) {
    super(`${what} is ${overLimit(size, limit)}`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
