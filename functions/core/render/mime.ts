import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface MessageInput {
  from: { name: string; address: string };
  to: string;
  replyTo?: string | undefined;
  subject: string;
  html: string;
  text: string;
  /** RFC 2919 list identifier, e.g. `digest.example.com`. */
  listId: string;
  listName: string;
  unsubscribeUrl: string;
  unsubscribeMailto: string;
  configurationSet?: string | undefined;
  /** Fixed date and message id make the output reproducible in tests. */
  date?: Date;
  messageId?: string;
}

/**
 * Builds the raw RFC 5322 message handed to SES: multipart/alternative (text, then HTML), UTF-8,
 * with the one-click unsubscribe headers Gmail and Yahoo require of bulk senders (RFC 8058).
 */
export async function buildMessage(input: MessageInput): Promise<Buffer> {
  // `prepared` keeps nodemailer from encoding the angle-bracketed values as words.
  const headers: Record<string, string | { prepared: true; value: string }> = {
    'List-Id': { prepared: true, value: `${displayName(input.listName)} <${input.listId}>` },
    'List-Unsubscribe': {
      prepared: true,
      value: `<${input.unsubscribeUrl}>, <mailto:${input.unsubscribeMailto}?subject=unsubscribe>`,
    },
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
  // SES reads this header to apply a configuration set to a raw send.
  if (input.configurationSet) headers['X-SES-CONFIGURATION-SET'] = input.configurationSet;
  const composer = new MailComposer({
    from: { name: input.from.name, address: input.from.address },
    to: input.to,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject: input.subject,
    text: input.text,
    html: input.html,
    textEncoding: 'quoted-printable',
    headers,
    ...(input.date ? { date: input.date } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    // nodemailer title-cases header names (X-Ses-Configuration-Set); names are case-insensitive,
    // but this one is written as SES documents it.
    normalizeHeaderKey: (key: string) =>
      /^x-ses-configuration-set$/i.test(key) ? 'X-SES-CONFIGURATION-SET' : key,
  });
  return composer.compile().build();
}

/** A display name as a quoted string, or an RFC 2047 encoded word when it is not plain ASCII. */
function displayName(name: string): string {
  const clean = name.replace(/[\r\n]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/["\\]/g, '\\$&')}"`;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}
