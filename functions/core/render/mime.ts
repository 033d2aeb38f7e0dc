import { randomBytes, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { foldLines } from 'nodemailer/lib/mime-funcs/index.js';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp/index.js';
import {
  type CompiledIssue,
  htmlFields,
  type RecipientFields,
  type SlotName,
  type SlottedDocument,
} from './personalize.ts';

/** What every message of a list mailing shares: sender, subject and list headers. */
export interface MessageHeaders {
  from: { name: string; address: string };
  replyTo?: string | undefined;
  subject: string;
  /** RFC 2919 list identifier, e.g. `digest.example.com`. */
  listId: string;
  listName: string;
  unsubscribeMailto: string;
  configurationSet?: string | undefined;
}

export interface MessageInput extends MessageHeaders {
  to: string;
  html: string;
  text: string;
  unsubscribeUrl: string;
  /** Fixed date and message id make the output reproducible in tests. */
  date?: Date | string;
  messageId?: string;
}

/**
 * The raw RFC 5322 message handed to SES: multipart/alternative (text, then HTML), UTF-8,
 * quoted-printable, with the one-click unsubscribe headers Gmail and Yahoo require of bulk senders
 * (RFC 8058). Both the full build below and the per-issue skeleton come from these options.
 */
function composer(
  input: Omit<MessageInput, 'html' | 'text'>,
  bodies: { text: string; html: string },
): MailComposer {
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
  return new MailComposer({
    from: { name: input.from.name, address: input.from.address },
    to: input.to,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject: input.subject,
    // Quoted-printable whatever the content, so the skeleton's parts are encoded as a full build's.
    text: { content: bodies.text, contentTransferEncoding: 'quoted-printable' },
    html: { content: bodies.html, contentTransferEncoding: 'quoted-printable' },
    headers,
    ...(input.date ? { date: input.date } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    // nodemailer title-cases header names (X-Ses-Configuration-Set); names are case-insensitive,
    // but this one is written as SES documents it.
    normalizeHeaderKey: (key: string) =>
      /^x-ses-configuration-set$/i.test(key) ? 'X-SES-CONFIGURATION-SET' : key,
  });
}

/** One message built whole by nodemailer (the reference the skeleton is tested against). */
export async function buildMessage(input: MessageInput): Promise<Buffer> {
  return composer(input, { text: crlf(input.text), html: crlf(input.html) })
    .compile()
    .build();
}

/** A display name as a quoted string, or an RFC 2047 encoded word when it is not plain ASCII. */
function displayName(name: string): string {
  const clean = name.replace(/[\r\n]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/["\\]/g, '\\$&')}"`;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** Body text with CRLF line breaks: RFC 5322 and 2045 know no other (nodemailer keeps bare LF). */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

// ---------------------------------------------------------------------------------------------
// The skeleton: nodemailer builds one message per issue, and each recipient's message is that
// message with its own To, Message-ID, Date, List-Unsubscribe URL and body slots put in, by
// position. The bodies are quoted-printable, pre-encoded once between the slots; a soft line
// break (`=` CRLF, which decoders remove) before and after each filled value starts every piece
// at column 0, so the pre-encoded lines stay valid (≤ 76 characters) whatever the value's length.

type HeaderSlot = 'to' | 'messageId' | 'date' | 'unsubscribeUrl';
type SkeletonSlot = HeaderSlot | 'text' | 'html';

/** A body, quoted-printable encoded between its recipient slots. */
interface EncodedBody {
  parts: string[];
  slots: SlotName[];
}

export interface MessageSkeleton {
  /** The raw message (ASCII) split around its per-recipient pieces. */
  parts: string[];
  slots: SkeletonSlot[];
  text: EncodedBody;
  html: EncodedBody;
  /** Right-hand side of each Message-ID: the sender's domain, as nodemailer would use. */
  idDomain: string;
}

const SOFT_BREAK = '=\r\n';

function encodeQp(value: string): string {
  return qpWrap(qpEncode(crlf(value)), 76);
}

function encodeBody(doc: SlottedDocument): EncodedBody {
  return { parts: doc.parts.map(encodeQp), slots: doc.slots };
}

function fillBody(body: EncodedBody, values: Record<SlotName, string>): string {
  let out = body.parts[0] ?? '';
  for (let i = 0; i < body.slots.length; i++) {
    const value = encodeQp(values[body.slots[i] as SlotName]);
    const next = body.parts[i + 1] ?? '';
    // A soft break only where a line goes on: not after a hard line break, not before nothing.
    out += `${out === '' || out.endsWith('\n') ? '' : SOFT_BREAK}${value}`;
    if (next !== '' && !value.endsWith('\n')) out += SOFT_BREAK;
    out += next;
  }
  return out;
}

/**
 * Builds an issue's message skeleton once: nodemailer writes every header, boundary and part
 * header of the real message, with unguessable stand-ins where the recipient's values go.
 */
export async function compileMessage(
  compiled: Pick<CompiledIssue, 'html' | 'text'>,
  headers: MessageHeaders,
): Promise<MessageSkeleton> {
  const nonce = randomBytes(16).toString('hex');
  const stand: Record<SkeletonSlot, string> = {
    to: `to${nonce}@skeleton.invalid`,
    messageId: `<id${nonce}@skeleton.invalid>`,
    date: `date${nonce}`,
    unsubscribeUrl: `https://unsubscribe${nonce}.invalid/`,
    text: `text${nonce}`,
    html: `html${nonce}`,
  };
  const raw = (
    await composer(
      {
        ...headers,
        to: stand.to,
        unsubscribeUrl: stand.unsubscribeUrl,
        date: stand.date,
        messageId: stand.messageId,
      },
      { text: stand.text, html: stand.html },
    )
      .compile()
      .build()
  ).toString('latin1');
  // Whole header lines for To, Message-ID and Date (a long address is folded as nodemailer folds
  // it); the URL inside List-Unsubscribe; each body on its own lines.
  const find: Record<SkeletonSlot, string> = {
    to: `To: ${stand.to}`,
    messageId: `Message-ID: ${stand.messageId}`,
    date: `Date: ${stand.date}`,
    unsubscribeUrl: stand.unsubscribeUrl,
    text: stand.text,
    html: stand.html,
  };
  const keys = Object.keys(find) as SkeletonSlot[];
  const pattern = new RegExp(keys.map((k) => find[k].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const parts: string[] = [];
  const slots: SkeletonSlot[] = [];
  let last = 0;
  for (const match of raw.matchAll(pattern)) {
    parts.push(raw.slice(last, match.index));
    slots.push(keys.find((k) => find[k] === match[0]) as SkeletonSlot);
    last = match.index + match[0].length;
  }
  parts.push(raw.slice(last));
  if ([...keys].sort().join() !== [...slots].sort().join()) {
    throw new Error(`the MIME skeleton lost a recipient slot (found ${slots.join(', ')})`);
  }
  return {
    parts,
    slots,
    text: encodeBody(compiled.text),
    html: encodeBody(compiled.html),
    idDomain: headers.from.address.split('@').pop() || 'localhost',
  };
}

/** Per-message values other than the recipient's (tests fix them to compare with a full build). */
export interface MessageStamp {
  date?: Date;
  messageId?: string;
}

// Encodes address headers as nodemailer does (punycode, quoting); it keeps no state between calls.
const addressEncoder = new MimeNode();

/** One recipient's raw message from the issue's skeleton. */
export function fillMessage(
  skeleton: MessageSkeleton,
  fields: RecipientFields,
  stamp: MessageStamp = {},
): Buffer {
  // The URL goes into a header unencoded: it must be one plain line (we build it, percent-encoded).
  if (!/^[\x21-\x7e]+$/.test(fields.unsubscribeUrl) || fields.unsubscribeUrl.includes('>')) {
    throw new Error('the unsubscribe URL must be printable ASCII without spaces or ">"');
  }
  const date = (stamp.date ?? new Date()).toUTCString().replace(/GMT/, '+0000');
  const messageId = stamp.messageId ?? `<${randomUUID()}@${skeleton.idDomain}>`;
  const values: Record<SkeletonSlot, string> = {
    to: foldLines(`To: ${addressEncoder.encodeHeaderValue('To', fields.email)}`, 76),
    messageId: `Message-ID: ${addressEncoder.encodeHeaderValue('Message-ID', messageId)}`,
    date: `Date: ${date}`,
    unsubscribeUrl: fields.unsubscribeUrl,
    text: fillBody(skeleton.text, fields),
    html: fillBody(skeleton.html, htmlFields(fields)),
  };
  let out = skeleton.parts[0] ?? '';
  for (let i = 0; i < skeleton.slots.length; i++) {
    out += values[skeleton.slots[i] as SkeletonSlot] + (skeleton.parts[i + 1] ?? '');
  }
  // All ASCII (the bodies are quoted-printable) unless the address is not: then UTF-8, as nodemailer.
  return Buffer.from(out, /[^\x20-\x7e\r\n]/.test(values.to) ? 'utf8' : 'latin1');
}
