import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { TemplateError } from '../errors.ts';
import type { Summary } from './summarize/index.ts';

/** Template sources by file name (relative to the templates folder), loaded once per issue. */
export interface TemplateSet {
  /** The MJML layout, e.g. `digest.mjml`. */
  layout: { file: string; source: string };
  /** Handlebars partials, by partial name (`article` for `partials/article.mjml`). */
  partials: Record<string, { file: string; source: string }>;
  /** Plain-text version, e.g. `digest.txt.hbs`. */
  text: { file: string; source: string };
}

export interface Brand {
  name: string;
  color: string;
  postalAddress: string;
  lang: string;
  publicUrl: string;
}

export interface DigestArticle extends Summary {
  url?: string | undefined;
  source?: string | undefined;
  published?: string | undefined;
}

export interface DigestView {
  issueId: string;
  subject: string;
  date: string;
  articles: DigestArticle[];
  archiveUrl?: string | undefined;
}

/** Per-recipient values filled into the compiled issue. */
export interface RecipientFields {
  email: string;
  unsubscribeUrl: string;
}

const SLOT_NAMES = ['email', 'unsubscribeUrl'] as const satisfies readonly (keyof RecipientFields)[];
type SlotName = (typeof SLOT_NAMES)[number];
// Markers that survive Handlebars escaping and MJML untouched; no article text can contain them.
const slotMarker = (name: SlotName) => `@@DIGEST_SLOT_${name}@@`;
const SLOT_PATTERN = /@@DIGEST_SLOT_(email|unsubscribeUrl)@@/;

/** A compiled document split around its recipient slots: personalizing is a join, not a render. */
interface SlottedDocument {
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
}

function split(doc: string): SlottedDocument {
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

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

function renderHandlebars(
  hbs: typeof Handlebars,
  template: { file: string; source: string },
  data: unknown,
  options: { noEscape: boolean },
): string {
  try {
    return hbs.compile(template.source, { strict: true, noEscape: options.noEscape })(data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = /on line (\d+)/.exec(message)?.[1];
    throw new TemplateError(
      template.file,
      message.split('\n')[0] ?? message,
      line ? Number(line) : undefined,
      {
        cause: error,
      },
    );
  }
}

function templateData(view: DigestView, brand: Brand) {
  const firstPoint = view.articles[0]?.keyPoints[0] ?? view.subject;
  return {
    ...view,
    brand,
    preheader: firstPoint,
    recipient: { email: slotMarker('email'), unsubscribeUrl: slotMarker('unsubscribeUrl') },
  };
}

/**
 * Compiles the issue once: Handlebars fills the articles into the MJML layout, MJML (strict
 * validation) turns it into email HTML; the text version comes from its own template. Recipient
 * fields stay as slots, so `personalize` never recompiles.
 */
export async function compileIssue(
  templates: TemplateSet,
  view: DigestView,
  brand: Brand,
): Promise<CompiledIssue> {
  const hbs = Handlebars.create();
  for (const [name, partial] of Object.entries(templates.partials)) {
    hbs.registerPartial(name, partial.source);
  }
  const data = templateData(view, brand);
  const mjmlSource = renderHandlebars(hbs, templates.layout, data, { noEscape: false });

  let html: string;
  let warnings: string[] = [];
  try {
    const result = await mjml2html(mjmlSource, { validationLevel: 'strict', keepComments: false });
    html = result.html;
    warnings = result.errors.map((e) => e.formattedMessage);
  } catch (error) {
    const details = (error as { errors?: { line?: number; formattedMessage?: string }[] }).errors;
    const first = details?.[0];
    const message = first?.formattedMessage ?? (error instanceof Error ? error.message : String(error));
    throw new TemplateError(templates.layout.file, `MJML: ${message}`, undefined, { cause: error });
  }

  const textHbs = Handlebars.create();
  const text = renderHandlebars(textHbs, templates.text, data, { noEscape: true });
  const compiled: CompiledIssue = {
    issueId: view.issueId,
    subject: view.subject,
    html: split(html),
    text: split(
      text
        .replace(/\n{3,}/g, '\n\n')
        .trim()
        .concat('\n'),
    ),
    htmlBytes: 0,
    mjmlWarnings: warnings,
  };
  compiled.htmlBytes = Buffer.byteLength(
    personalize(compiled, {
      email: 'subscriber@example.com',
      unsubscribeUrl: `${brand.publicUrl}/unsubscribe?token=${'x'.repeat(120)}`,
    }).html,
  );
  return compiled;
}

/** Fills one recipient's fields into the compiled issue (escaped for HTML; raw in the text part). */
export function personalize(
  compiled: CompiledIssue,
  fields: RecipientFields,
): { html: string; text: string } {
  const htmlValues = { email: escapeHtml(fields.email), unsubscribeUrl: escapeHtml(fields.unsubscribeUrl) };
  return { html: join(compiled.html, htmlValues), text: join(compiled.text, fields) };
}

/** A compiled issue as JSON-safe data, so it can be stored once and sent from anywhere. */
export function serializeCompiled(compiled: CompiledIssue): string {
  return JSON.stringify(compiled);
}

export function deserializeCompiled(json: string): CompiledIssue {
  return JSON.parse(json) as CompiledIssue;
}
