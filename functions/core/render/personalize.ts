import { randomBytes } from 'node:crypto';
import { DigestError } from '../errors.ts';
import { asciiHtml, escapeHtml } from './html.ts';

/**
 * The per-recipient half of rendering, kept apart from MJML so the send function's bundle stays
 * small: a compiled issue is split around its recipient slots, and personalizing is a join.
 */

/** Per-recipient values filled into the compiled issue. */
export interface RecipientFields {
  email: string;
  unsubscribeUrl: string;
}

export const SLOT_NAMES = ['email', 'unsubscribeUrl'] as const satisfies readonly (keyof RecipientFields)[];
export type SlotName = (typeof SLOT_NAMES)[number];

/**
 * The markers one compilation writes where recipient fields go. Each compilation draws its own
 * 128-bit nonce, after the articles are fixed, and the markers never leave the compiler (the
 * stored issue keeps only the pieces between them). So no article, front matter or template
 * text can contain a marker: content cannot produce a slot, whatever it says. Letters and digits
 * only, so Handlebars escaping and MJML leave them as they are.
 */
export interface SlotMarkers {
  marker(name: SlotName): string;
  pattern: RegExp;
}

export function newSlotMarkers(): SlotMarkers {
  const nonce = randomBytes(16).toString('hex');
  return {
    marker: (name) => `DIGESTSLOT${nonce}${name}END`,
    pattern: new RegExp(`DIGESTSLOT${nonce}(${SLOT_NAMES.join('|')})END`),
  };
}

/** A compiled document split around its recipient slots: personalizing is a join, not a render. */
export interface SlottedDocument {
  parts: string[];
  slots: SlotName[];
}

/**
 * Version of the stored compiled issue. 2: slots come from per-compilation markers. An issue
 * compiled before (version 1, a fixed marker that article text could carry) is not trusted:
 * its slots may have been planted by content.
 */
export const COMPILED_FORMAT = 2;

export interface CompiledIssue {
  format: typeof COMPILED_FORMAT;
  issueId: string;
  subject: string;
  html: SlottedDocument;
  text: SlottedDocument;
  /** Size of the compiled HTML in bytes, with slots at a typical length (Gmail clips over 102 KB). */
  htmlBytes: number;
  mjmlWarnings: string[];
  /** The hidden preheader (inbox preview line): the first key point. */
  preheader?: string | undefined;
}

/** Gmail clips a message whose HTML is larger than this (102 KB). */
export const GMAIL_CLIP_BYTES = 102 * 1024;

export function split(doc: string, markers: SlotMarkers): SlottedDocument {
  const pieces = doc.split(markers.pattern);
  const parts: string[] = [];
  const slots: SlotName[] = [];
  pieces.forEach((piece, i) => {
    if (i % 2 === 0) parts.push(piece);
    else slots.push(piece as SlotName);
  });
  return { parts, slots };
}

function join(doc: SlottedDocument, values: Record<SlotName, string>): string {
  let out = doc.parts[0] ?? '';
  for (let i = 0; i < doc.slots.length; i++) {
    out += values[doc.slots[i] as SlotName] + (doc.parts[i + 1] ?? '');
  }
  return out;
}

/** A recipient's fields as the HTML part writes them: escaped, and 7-bit like the rest of it. */
export const htmlFields = (fields: RecipientFields): RecipientFields => ({
  email: asciiHtml(escapeHtml(fields.email)),
  unsubscribeUrl: asciiHtml(escapeHtml(fields.unsubscribeUrl)),
});

/** Fills one recipient's fields into the compiled issue (escaped for HTML; raw in the text part). */
export function personalize(
  compiled: CompiledIssue,
  fields: RecipientFields,
): { html: string; text: string } {
  return { html: join(compiled.html, htmlFields(fields)), text: join(compiled.text, fields) };
}

/** A compiled issue as JSON-safe data, so it can be stored once and sent from anywhere. */
export function serializeCompiled(compiled: CompiledIssue): string {
  return JSON.stringify(compiled);
}

/** Thrown for a stored compiled issue of an older format (see COMPILED_FORMAT). */
export class StaleCompiledIssueError extends DigestError {
  override name = 'StaleCompiledIssueError';
}

export function deserializeCompiled(json: string): CompiledIssue {
  const compiled = JSON.parse(json) as Partial<CompiledIssue>;
  if (compiled.format !== COMPILED_FORMAT) {
    throw new StaleCompiledIssueError(
      `compiled issue ${compiled.issueId ?? '?'} has format ${compiled.format ?? 1}, not ${COMPILED_FORMAT}: its recipient slots may come from article text; it must be compiled again`,
    );
  }
  return compiled as CompiledIssue;
}
