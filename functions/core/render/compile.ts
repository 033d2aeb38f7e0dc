import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { TemplateError } from '../errors.ts';
import type { Summary } from '../summarize/index.ts';
import { brandColors } from './colors.ts';
import { asciiHtml, webUrl } from './html.ts';
import {
  COMPILED_FORMAT,
  type CompiledIssue,
  newSlotMarkers,
  personalize,
  type SlotMarkers,
  split,
} from './personalize.ts';

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
  /** As shown: "30 November 2026" (a date-only seed value is shown as written). */
  published?: string | undefined;
  /** The source's section; the email groups stories under section headings when there are any. */
  section?: string | undefined;
  /** The same story at other sources. */
  also?: { source: string; url: string }[] | undefined;
}

export interface DigestView {
  issueId: string;
  subject: string;
  date: string;
  articles: DigestArticle[];
  /** The issue's public archive page; the email links it as "View in browser". */
  archiveUrl?: string | undefined;
}

/**
 * Shrinks MJML's output without changing what it shows: indentation after a line break is
 * whitespace HTML collapses anyway (Gmail clips at 102 KB), and an all-ASCII document is a one-byte
 * string in V8, which makes every per-recipient copy cheaper to encode.
 */
function compactHtml(html: string): string {
  const collapsed = /<(pre|textarea)\b/i.test(html)
    ? html
    : html.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
  return asciiHtml(collapsed);
}

// ---------------------------------------------------------------------------------------------
// Template errors: every error names the file it comes from (layout, partial or text) and a line.

const firstLine = (message: string) => message.split('\n')[0] ?? message;

function handlebarsError(file: string, error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Parse errors say "on line N"; strict-mode lookups end with " - line:column".
  const line = /on line (\d+)/.exec(message)?.[1] ?? / - (\d+):\d+\s*$/.exec(firstLine(message))?.[1];
  return new TemplateError(file, firstLine(message), line ? Number(line) : undefined, { cause: error });
}

// Partial output is wrapped in these comments (on its first and last line, so no line moves), which
// lets an MJML error on a line of the rendered document be traced to the partial that wrote it.
const partialOpen = (index: number) => `<!--digest-partial:${index}-->`;
const PARTIAL_CLOSE = '<!--/digest-partial-->';
const PARTIAL_MARKS = /<!--(?:digest-partial:(\d+)|\/digest-partial)-->/g;
// Each MJML tag in a template source is preceded by a comment naming its file and line, so an error
// MJML reports on a rendered line leads straight back to the source, loops and conditionals included.
const LAYOUT_INDEX = -1;
const LINE_MARK = /<!--digest-line:(-?\d+):(\d+)-->/g;
const markLines = (source: string, index: number) =>
  source
    .split('\n')
    .map((text, i) => text.replaceAll('<mj-', `<!--digest-line:${index}:${i + 1}--><mj-`))
    .join('\n');
const ALL_MARKS = /<!--(?:digest-partial:\d+|\/digest-partial|digest-line:-?\d+:\d+)-->/g;

interface Located {
  file: string;
  line: number;
}

/**
 * Maps a line of the rendered MJML back to a template file and line: by the tag's line mark; failing
 * that, the innermost partial around it, the line inside that partial (lines written by nested
 * partials collapse to their `{{> }}` line), then the nearest line of that file opening the same tag.
 */
export function locateRenderedLine(
  rendered: string,
  line: number,
  tagName: string | undefined,
  layout: { file: string; source: string },
  partials: { file: string; source: string }[],
): Located {
  let lineStart = 0;
  for (let l = 1; l < line; l++) {
    const next = rendered.indexOf('\n', lineStart);
    if (next < 0) break;
    lineStart = next + 1;
  }
  const lineEnd = rendered.indexOf('\n', lineStart);
  const lineText = rendered.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const tagAt = tagName ? lineText.indexOf(`<${tagName}`) : -1;
  const pos = lineStart + Math.max(0, tagAt);
  // The tag's own line mark, when the template wrote the tag as `<mj-…` (the usual case).
  const marks = [...(tagAt >= 0 ? lineText.slice(0, tagAt) : lineText).matchAll(LINE_MARK)];
  const mark = tagAt >= 0 ? marks[marks.length - 1] : marks[0];
  if (mark && (tagAt < 0 || lineText.slice(0, tagAt).endsWith(mark[0]))) {
    const index = Number(mark[1]);
    const template = index === LAYOUT_INDEX ? layout : partials[index];
    if (template) return { file: template.file, line: Number(mark[2]) };
  }

  interface Frame {
    template: { file: string; source: string };
    startLine: number;
    collapsed: number;
  }
  const stack: Frame[] = [{ template: layout, startLine: 1, collapsed: 0 }];
  let scanned = 0;
  let currentLine = 1;
  const lineAt = (offset: number) => {
    for (let i = scanned; i < offset; i++) if (rendered.charCodeAt(i) === 10) currentLine++;
    scanned = Math.max(scanned, offset);
    return currentLine;
  };
  for (const mark of rendered.matchAll(PARTIAL_MARKS)) {
    if (mark.index >= pos) break;
    const at = lineAt(mark.index);
    if (mark[1] !== undefined) {
      const template = partials[Number(mark[1])] ?? layout;
      stack.push({ template, startLine: at, collapsed: 0 });
    } else if (stack.length > 1) {
      const done = stack.pop() as Frame;
      const parent = stack[stack.length - 1] as Frame;
      parent.collapsed += at - done.startLine;
    }
  }
  const frame = stack[stack.length - 1] as Frame;
  const estimate = Math.max(1, line - frame.startLine + 1 - frame.collapsed);
  if (!tagName) return { file: frame.template.file, line: estimate };
  const opens = new RegExp(`<${tagName.replace(/[^\w-]/g, '')}(?=[\\s/>])`);
  let best: number | undefined;
  frame.template.source.split('\n').forEach((text, i) => {
    if (!opens.test(text)) return;
    if (best === undefined || Math.abs(i + 1 - estimate) < Math.abs(best - estimate)) best = i + 1;
  });
  return { file: frame.template.file, line: best ?? estimate };
}

interface MjmlIssue {
  line?: number;
  tagName?: string;
  message?: string;
  formattedMessage?: string;
}

function mjmlError(error: unknown, rendered: string, templates: TemplateSet): TemplateError {
  const issues = (error as { errors?: MjmlIssue[] }).errors ?? [];
  const partials = Object.values(templates.partials);
  const described = issues.map((issue) => {
    const where =
      issue.line === undefined
        ? { file: templates.layout.file, line: undefined }
        : locateRenderedLine(rendered, issue.line, issue.tagName, templates.layout, partials);
    const what = `${issue.tagName ? `<${issue.tagName}> ` : ''}${issue.message ?? issue.formattedMessage ?? 'invalid'}`;
    return { ...where, what };
  });
  const [first, ...rest] = described;
  if (!first) {
    const message = error instanceof Error ? firstLine(error.message.trim()) : String(error);
    return new TemplateError(templates.layout.file, `MJML: ${message}`, undefined, { cause: error });
  }
  const more = rest.map((d) => `; ${d.file}${d.line ? `:${d.line}` : ''}: ${d.what}`).join('');
  return new TemplateError(first.file, `MJML: ${first.what}${more}`, first.line, { cause: error });
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Wraps text at `width` columns: `first` before the first line, `indent` before the others. */
export function wrapText(text: string, width: number, indent: string, first: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let current = first;
  let empty = true;
  for (const word of words) {
    if (!empty && current.length + 1 + word.length > width) {
      lines.push(current);
      current = indent + word;
    } else {
      current += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(current);
  return lines.join('\n');
}

function registerHelpers(hbs: typeof Handlebars) {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('and', (a: unknown, b: unknown) => Boolean(a) && Boolean(b));
  hbs.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  hbs.registerHelper('quoted', (text: unknown) => `“${String(text)}”`);
  hbs.registerHelper('wrap', (text: unknown, indent: unknown, first: unknown) =>
    wrapText(String(text ?? ''), 72, String(indent ?? ''), String(first ?? '')),
  );
}

function render(
  hbs: typeof Handlebars,
  template: { file: string; source: string },
  data: unknown,
  options: { noEscape: boolean },
): string {
  try {
    return hbs.compile(template.source, { strict: true, noEscape: options.noEscape })(data);
  } catch (error) {
    throw handlebarsError(template.file, error);
  }
}

/** Registers each partial compiled on its own, so its errors name its file, and marks its output. */
function registerPartials(hbs: typeof Handlebars, templates: TemplateSet) {
  Object.entries(templates.partials).forEach(([name, partial], index) => {
    try {
      hbs.parse(partial.source); // syntax errors now, even for a partial this issue does not use
    } catch (error) {
      throw handlebarsError(partial.file, error);
    }
    const template = hbs.compile(markLines(partial.source, index), { strict: true });
    const wrapped = (context: unknown, options?: Handlebars.RuntimeOptions) => {
      let out: string;
      try {
        out = template(context, options);
      } catch (error) {
        throw handlebarsError(partial.file, error);
      }
      const newline = out.endsWith('\n') ? '\n' : '';
      return `${partialOpen(index)}${newline ? out.slice(0, -1) : out}${PARTIAL_CLOSE}${newline}`;
    };
    hbs.registerPartial(name, wrapped);
  });
}

function templateData(view: DigestView, brand: Brand, markers: SlotMarkers) {
  const firstPoint = view.articles[0]?.keyPoints[0] ?? view.subject;
  return {
    ...view,
    // Absent optional fields become null: strict Handlebars then reads them as false, not an error
    // (a view read back from JSON has lost its `undefined` keys).
    archiveUrl: view.archiveUrl ?? null,
    articles: view.articles.map((a, i) => ({
      ...a,
      // Only web links reach an href, even from a view stored before front matter was checked.
      url: webUrl(a.url) ?? null,
      source: a.source ?? null,
      published: a.published ?? null,
      also: a.also && a.also.length > 0 ? a.also : null,
      // A heading above the first story of each section (articles arrive grouped by section).
      sectionHeading: a.section && a.section !== view.articles[i - 1]?.section ? a.section : null,
      quotes: a.quotes.map((q) => ({ ...q, speaker: q.speaker ?? null, role: q.role ?? null })),
    })),
    brand: { ...brand, ...brandColors(brand.color) },
    preheader: firstPoint,
    recipient: { email: markers.marker('email'), unsubscribeUrl: markers.marker('unsubscribeUrl') },
  };
}

/**
 * Compiles the issue once: Handlebars fills the articles into the MJML layout, MJML (strict
 * validation) turns it into email HTML; the text version comes from its own template. Recipient
 * fields stay as slots, so `personalize` never recompiles. A template error is a TemplateError
 * naming the template file (the partial, when the error is inside one) and line.
 */
export async function compileIssue(
  templates: TemplateSet,
  view: DigestView,
  brand: Brand,
): Promise<CompiledIssue> {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  registerPartials(hbs, templates);
  // Drawn now, after the articles are fixed: nothing they contain can be a marker.
  const markers = newSlotMarkers();
  const data = templateData(view, brand, markers);
  const mjmlSource = render(
    hbs,
    { file: templates.layout.file, source: markLines(templates.layout.source, LAYOUT_INDEX) },
    data,
    { noEscape: false },
  );

  let html: string;
  let warnings: string[] = [];
  try {
    // fonts: {} keeps MJML from linking Google Fonts (a request per open, and a tracking vector).
    const result = await mjml2html(mjmlSource, { validationLevel: 'strict', keepComments: false, fonts: {} });
    html = compactHtml(result.html.replace(ALL_MARKS, ''));
    warnings = result.errors.map((e) => e.formattedMessage);
  } catch (error) {
    throw mjmlError(error, mjmlSource, templates);
  }

  const textHbs = Handlebars.create();
  registerHelpers(textHbs);
  const text = render(textHbs, templates.text, data, { noEscape: true });
  const compiled: CompiledIssue = {
    format: COMPILED_FORMAT,
    issueId: view.issueId,
    subject: view.subject,
    html: split(html, markers),
    text: split(
      text
        .replace(/[ \t]+$/gm, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim()
        .concat('\n'),
      markers,
    ),
    htmlBytes: 0,
    mjmlWarnings: warnings,
    preheader: data.preheader,
  };
  compiled.htmlBytes = Buffer.byteLength(
    personalize(compiled, {
      email: 'subscriber@example.com',
      unsubscribeUrl: `${brand.publicUrl}/unsubscribe?token=${'x'.repeat(120)}`,
    }).html,
  );
  return compiled;
}
