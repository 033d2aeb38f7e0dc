import type { Context } from 'hono';
import type {
  BlobStore,
  IssueStore,
  MailSender,
  RateLimitStore,
  SubscriberLifecycle,
} from '../core/ports.ts';
import type { Brand } from '../core/render/compile.ts';
import type { TokenKey } from '../core/tokens.ts';
import type { ConfirmMailSettings } from './confirm-mail.ts';

export interface AppLimits {
  maxBodyBytes: number;
  signupsPerMinutePerIp: number;
  /** Confirmation mails per mailbox in any 24 hours. */
  confirmMailsPerDay: number;
  /** At least this long between two confirmation mails to one mailbox. */
  confirmResendSeconds: number;
  confirmTokenHours: number;
}

export interface AppLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Everything the HTTP app needs; the Lambda handler, the dev server and tests each build one. */
export interface AppDeps {
  subscribers: SubscriberLifecycle;
  rateLimits: RateLimitStore;
  sender: MailSender;
  /** Resolved lazily (an SSM call on AWS), cached by the caller. */
  tokenKeys: () => Promise<TokenKey[]>;
  brand: Brand;
  mail: ConfirmMailSettings;
  limits: AppLimits;
  /** For the archive routes. */
  issues: IssueStore;
  blobs: BlobStore;
  /** The caller's IP; by default from the API Gateway event or the Node socket. */
  clientIp?: (c: Context) => string | undefined;
  log?: AppLog;
  now?: () => Date;
}

/** The source IP as API Gateway (HTTP API v2) or @hono/node-server hands it over; never a header. */
export function defaultClientIp(c: Context): string | undefined {
  const env = c.env as
    | {
        event?: { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } };
        incoming?: { socket?: { remoteAddress?: string } };
      }
    | undefined;
  return (
    env?.event?.requestContext?.http?.sourceIp ??
    env?.event?.requestContext?.identity?.sourceIp ??
    env?.incoming?.socket?.remoteAddress
  );
}
