import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { brandColors } from '../core/render/colors.ts';
import type { Brand } from '../core/render/compile.ts';
import { renderConfirmEmail } from './pages.ts';

export interface ConfirmMailSettings {
  from: { name: string; address: string };
  replyTo?: string | undefined;
  configurationSet?: string | undefined;
}

/**
 * The raw MIME of a confirmation email: multipart/alternative (text, then HTML). Transactional,
 * so no List-Unsubscribe headers: the person is not on a list yet. The address was validated by
 * normalizeAddress (no control characters), so it cannot inject headers.
 */
export async function buildConfirmMail(input: {
  brand: Brand;
  settings: ConfirmMailSettings;
  to: string;
  confirmUrl: string;
  hours: number;
}): Promise<Buffer> {
  const { html, text } = renderConfirmEmail({
    brandName: input.brand.name,
    // Text on white and white button text on it: a brand colour too light for both is replaced.
    brandColor: brandColors(input.brand.color).linkColor,
    postalAddress: input.brand.postalAddress,
    lang: input.brand.lang,
    email: input.to,
    confirmUrl: input.confirmUrl,
    hours: input.hours,
  });
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (input.settings.configurationSet) headers['X-SES-CONFIGURATION-SET'] = input.settings.configurationSet;
  const composer = new MailComposer({
    from: input.settings.from,
    to: input.to,
    ...(input.settings.replyTo ? { replyTo: input.settings.replyTo } : {}),
    subject: `Confirm your subscription to ${input.brand.name}`,
    text,
    html,
    textEncoding: 'quoted-printable',
    headers,
  });
  return composer.compile().build();
}
