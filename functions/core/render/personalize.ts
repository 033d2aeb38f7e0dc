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
// Markers that survive Handlebars escaping and MJML untouched; no article text can contain them.
export const slotMarker = (name: SlotName) => `@@DIGEST_SLOT_${name}@@`;
export const SLOT_PATTERN = /@@DIGEST_SLOT_(email|unsubscribeUrl)@@/;

/** A compiled document split around its recipient slots: personalizing is a join, not a render. */
export interface SlottedDocument {
  parts: string[];
  slots: SlotName[];
}

export interface CompiledIssue {
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

export function split(doc: string): SlottedDocument {
  const pieces = doc.split(SLOT_PATTERN);
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

/** Fills one recipient's fields into the compiled issue (escaped for HTML; raw in the text part). */
export function personalize(
  compiled: CompiledIssue,
  fields: RecipientFields,
): { html: string; text: string } {
  const htmlValues = {
    email: asciiHtml(escapeHtml(fields.email)),
    unsubscribeUrl: asciiHtml(escapeHtml(fields.unsubscribeUrl)),
  };
  return { html: join(compiled.html, htmlValues), text: join(compiled.text, fields) };
}

/** A compiled issue as JSON-safe data, so it can be stored once and sent from anywhere. */
export function serializeCompiled(compiled: CompiledIssue): string {
  return JSON.stringify(compiled);
}

export function deserializeCompiled(json: string): CompiledIssue {
  return JSON.parse(json) as CompiledIssue;
}
