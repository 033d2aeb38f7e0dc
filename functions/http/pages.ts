import Handlebars from 'handlebars';
import { brandColors } from '../core/render/colors.ts';
import type { Brand } from '../core/render/compile.ts';
import { CONFIRM_EMAIL_HTML, CONFIRM_EMAIL_TEXT, PAGES } from './templates.generated.ts';

/**
 * Pages and the confirmation email from the precompiled templates (templates.generated.ts, made
 * by `npm run templates`): at run time only Handlebars fills slots, MJML is never loaded.
 * Handlebars escapes every `{{value}}`; `{{{url}}}` is used only for URLs this module builds.
 */
const hbs = Handlebars.create();
type Page = Exclude<keyof typeof PAGES, 'layout'>;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string, source: string, plainText = false): Handlebars.TemplateDelegate {
  let t = compiled.get(name);
  if (!t) {
    // Plain text is not HTML: escaping would show "&amp;" to the reader.
    t = hbs.compile(source, { noEscape: plainText });
    compiled.set(name, t);
  }
  return t;
}

export function renderPage(brand: Brand, page: Page, title: string, data: Record<string, unknown>): string {
  // The layout's buttons are white text on the brand colour: one too light is replaced.
  const shown = { ...brand, color: brandColors(brand.color).linkColor };
  const body = template(page, PAGES[page])({ ...data, brand: shown });
  return template('layout', PAGES.layout)({ brand: shown, title, body });
}

export interface MessagePage {
  title: string;
  heading?: string;
  paragraphs: string[];
  back?: boolean;
}

export function renderMessage(brand: Brand, page: MessagePage): string {
  return renderPage(brand, 'message', page.title, {
    heading: page.heading ?? page.title,
    paragraphs: page.paragraphs,
    back: page.back ? '/' : undefined,
  });
}

export interface ConfirmEmailFields {
  brandName: string;
  brandColor: string;
  postalAddress: string;
  lang: string;
  email: string;
  confirmUrl: string;
  hours: number;
}

export function renderConfirmEmail(fields: ConfirmEmailFields): { html: string; text: string } {
  return {
    html: template('confirm-email.html', CONFIRM_EMAIL_HTML)(fields),
    text: template('confirm-email.txt', CONFIRM_EMAIL_TEXT, true)(fields),
  };
}
