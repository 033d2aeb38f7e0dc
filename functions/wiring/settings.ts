import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../adapters/clients.ts';
import { DynamoDeliveryStore } from '../adapters/dynamo/delivery-store.ts';
import { DynamoIssueStore } from '../adapters/dynamo/issue-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store.ts';
import type { TableNames } from '../adapters/dynamo/tables.ts';
import { ConfigError } from '../core/errors.ts';
import type { MailSender, SendQuota } from '../core/ports.ts';
import type { Brand } from '../core/render/compile.ts';
import type { MailSettings } from '../core/send/deliver.ts';
import { generateSecret, parseKeyring, type TokenKey } from '../core/tokens.ts';
import type { Config } from './config.ts';

/** Plain mappings from the validated config to what the core takes. */

export const tableNames = (config: Config): TableNames => ({
  subscribers: config.SUBSCRIBERS_TABLE,
  deliveries: config.DELIVERIES_TABLE,
  issues: config.ISSUES_TABLE,
  rateLimits: config.RATE_LIMITS_TABLE,
});

export const brandFromConfig = (config: Config): Brand => ({
  name: config.DIGEST_BRAND_NAME,
  color: config.DIGEST_BRAND_COLOR,
  postalAddress: config.DIGEST_POSTAL_ADDRESS,
  lang: config.DIGEST_LANG,
  publicUrl: config.DIGEST_PUBLIC_URL.replace(/\/+$/, ''),
});

export const mailSettingsFromConfig = (config: Config): MailSettings => ({
  from: { name: config.DIGEST_FROM_NAME ?? config.DIGEST_BRAND_NAME, address: config.DIGEST_FROM_ADDRESS },
  replyTo: config.DIGEST_REPLY_TO,
  listId: config.DIGEST_LIST_ID,
  listName: config.DIGEST_BRAND_NAME,
  publicUrl: config.DIGEST_PUBLIC_URL.replace(/\/+$/, ''),
  unsubscribeMailto: config.DIGEST_UNSUBSCRIBE_MAILTO,
  configurationSet: config.DIGEST_SES_CONFIGURATION_SET,
});

export function makeStores(clients: Pick<AwsClients, 'ddb'>, config: Config) {
  return {
    subscribers: new DynamoSubscriberStore(clients.ddb, config.SUBSCRIBERS_TABLE),
    deliveries: new DynamoDeliveryStore(
      clients.ddb,
      config.DELIVERIES_TABLE,
      config.DIGEST_DELIVERY_TTL_DAYS,
    ),
    issues: new DynamoIssueStore(clients.ddb, config.ISSUES_TABLE),
  };
}

/**
 * Token keys: DIGEST_TOKEN_SECRETS when set; else the SSM SecureString named by
 * DIGEST_TOKEN_SECRETS_PARAMETER (AWS); else, locally, a secret generated once under the data folder.
 */
export async function resolveTokenKeys(
  config: Config,
  sources: { ssm?: SSMClient; localSecretFile?: string },
): Promise<TokenKey[]> {
  if (config.DIGEST_TOKEN_SECRETS) return parseKeyring(config.DIGEST_TOKEN_SECRETS);
  if (config.DIGEST_TOKEN_SECRETS_PARAMETER && sources.ssm) {
    const out = await sources.ssm.send(
      new GetParameterCommand({ Name: config.DIGEST_TOKEN_SECRETS_PARAMETER, WithDecryption: true }),
    );
    const value = out.Parameter?.Value;
    if (!value)
      throw new ConfigError([
        `DIGEST_TOKEN_SECRETS_PARAMETER: parameter ${config.DIGEST_TOKEN_SECRETS_PARAMETER} is empty`,
      ]);
    return parseKeyring(value);
  }
  if (sources.localSecretFile) {
    let value: string;
    try {
      value = (await readFile(sources.localSecretFile, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      value = `local:${generateSecret()}`;
      await mkdir(dirname(sources.localSecretFile), { recursive: true });
      await writeFile(sources.localSecretFile, `${value}\n`, { mode: 0o600 });
    }
    return parseKeyring(value);
  }
  throw new ConfigError(['DIGEST_TOKEN_SECRETS: not set (nor DIGEST_TOKEN_SECRETS_PARAMETER)']);
}

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
