import type { TableNames } from '../adapters/dynamo/tables.ts';
import type { MailSender, SendQuota } from '../core/ports.ts';
import type { Brand } from '../core/render/compile.ts';
import type { MailSettings } from '../core/send/deliver.ts';
import type { AppLimits } from '../http/deps.ts';
import type { Config } from './config.ts';

/** Plain mappings from the validated config to what the core and the HTTP app take. */

export const tableNames = (config: Config): TableNames => ({
  subscribers: config.SUBSCRIBERS_TABLE,
  deliveries: config.DELIVERIES_TABLE,
  issues: config.ISSUES_TABLE,
  rateLimits: config.RATE_LIMITS_TABLE,
  sources: config.SOURCES_TABLE,
});

const publicUrl = (config: Config) => config.DIGEST_PUBLIC_URL.replace(/\/+$/, '');

export const brandFromConfig = (config: Config): Brand => ({
  name: config.DIGEST_BRAND_NAME,
  color: config.DIGEST_BRAND_COLOR,
  postalAddress: config.DIGEST_POSTAL_ADDRESS,
  lang: config.DIGEST_LANG,
  publicUrl: publicUrl(config),
});

export const mailSettingsFromConfig = (config: Config): MailSettings => ({
  from: { name: config.DIGEST_FROM_NAME ?? config.DIGEST_BRAND_NAME, address: config.DIGEST_FROM_ADDRESS },
  replyTo: config.DIGEST_REPLY_TO,
  listId: config.DIGEST_LIST_ID,
  listName: config.DIGEST_BRAND_NAME,
  publicUrl: publicUrl(config),
  unsubscribeMailto: config.DIGEST_UNSUBSCRIBE_MAILTO,
  configurationSet: config.DIGEST_SES_CONFIGURATION_SET,
});

export const limitsFromConfig = (config: Config): AppLimits => ({
  maxBodyBytes: config.DIGEST_MAX_BODY_BYTES,
  signupsPerMinutePerIp: config.DIGEST_SIGNUPS_PER_MINUTE_PER_IP,
  confirmMailsPerDay: config.DIGEST_CONFIRM_MAILS_PER_DAY,
  confirmResendSeconds: config.DIGEST_CONFIRM_RESEND_MINUTES * 60,
  confirmTokenHours: config.DIGEST_CONFIRM_TOKEN_HOURS,
});

/**
 * The account's sending limits for the send plan: from config when DIGEST_DAILY_QUOTA is set
 * (on AWS, where ses:GetAccount would need Resource "*"; the sent-in-24-hours figure is then not
 * known and counts as 0), otherwise from SES itself.
 */
export async function sendQuota(config: Config, sender: Pick<MailSender, 'getQuota'>): Promise<SendQuota> {
  if (config.DIGEST_DAILY_QUOTA !== undefined && config.DIGEST_SEND_RATE !== undefined) {
    return {
      maxSendRate: config.DIGEST_SEND_RATE,
      max24HourSend: config.DIGEST_DAILY_QUOTA,
      sentLast24Hours: 0,
    };
  }
  return sender.getQuota();
}
