import { type MessageTag, type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { type MailSender, SendFailure, type SendFailureKind, type SendQuota } from '../core/ports.ts';

const PAUSED = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'SendingPausedException',
]);
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'InvalidParameterValue',
  'ValidationError',
]);
/*
 * Network errors, and which of them may be retried. SendRawEmail has no idempotency token, so a
 * retry is only safe when SES cannot have accepted the message:
 * - ECONNREFUSED, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH: no connection, nothing was sent.
 * - ECONNRESET, EPIPE: the connection broke before any answer. SES acts on a request only once it
 *   holds the whole signed body, and these errors arise, in practice, on a kept-alive socket the
 *   other end had already closed or while the request is still being written (our fault proxy
 *   resets exactly there). They are retried. The residual risk is a reset after SES read the whole
 *   request; we accept it, because calling every reset "unknown" would leave recipients unsent
 *   on every network blip, and the SDK itself treats these errors as transient.
 * - a timeout (ours or the socket's): the request went out and SES may be working on it or may
 *   have accepted it; nothing tells us which. That is "unknown": the record stays `sending` and
 *   only `--retry-unknown` resends it.
 */
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNKNOWN_NETWORK = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
]);

/** Maps an SES SDK error to what the sending loop should do about it. */
export function classifySesError(error: unknown): SendFailure {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e?.name ?? '';
  const code = e?.code ?? '';
  const message = e?.message ?? String(error);
  const status = e?.$metadata?.httpStatusCode;
  const wrap = (kind: SendFailureKind) =>
    new SendFailure(kind, `${name || code || 'Error'}: ${message}`, { cause: error });
  if (PAUSED.has(name)) return wrap('paused');
  if (/daily message quota exceeded/i.test(message)) return wrap('quota');
  if (name === 'Throttling' || name === 'ThrottlingException' || status === 429) return wrap('retryable');
  if (PERMANENT.has(name)) return wrap('permanent');
  if (RETRYABLE_NETWORK.has(code) || RETRYABLE_NETWORK.has(name)) return wrap('retryable');
  if (UNKNOWN_NETWORK.has(code) || UNKNOWN_NETWORK.has(name)) return wrap('unknown');
  if (status !== undefined && status >= 500) return wrap('retryable');
  if (status !== undefined && status >= 400) return wrap('permanent');
  return wrap('unknown');
}

// SES tag values allow only [A-Za-z0-9_-] (and at most 256 characters).
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/** How long one SendRawEmail call may take before its result counts as unknown. */
export const SES_CALL_TIMEOUT_MS = 30_000;

export class SesSender implements MailSender {
  constructor(
    private readonly ses: SESClient,
    private readonly sesv2: SESv2Client,
    private readonly timeoutMs = SES_CALL_TIMEOUT_MS,
  ) {}

  async sendRaw(
    raw: Uint8Array,
    options: { tags: Record<string, string>; configurationSet?: string | undefined },
  ) {
    const tags: MessageTag[] = Object.entries(options.tags).map(([Name, Value]) => ({
      Name,
      Value: tagValue(Value),
    }));
    try {
      const out = await this.ses.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Tags: tags,
          ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
        }),
        // Without a bound a hung call would hold its recipient (and a Lambda) forever.
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
      if (!out.MessageId) throw new SendFailure('unknown', 'SES answered without a MessageId');
      return out.MessageId;
    } catch (error) {
      if (error instanceof SendFailure) throw error;
      throw classifySesError(error);
    }
  }

  /** The account's sending limits (SES v2 GetAccount carries the same figures as v1 GetSendQuota). */
  async getQuota(): Promise<SendQuota> {
    const out = await this.sesv2.send(new GetAccountCommand({}));
    const q = out.SendQuota;
    if (!q || q.MaxSendRate === undefined) throw new Error('SES GetAccount returned no SendQuota');
    return {
      maxSendRate: q.MaxSendRate,
      max24HourSend: q.Max24HourSend ?? Number.POSITIVE_INFINITY,
      sentLast24Hours: q.SentLast24Hours ?? 0,
    };
  }
}
