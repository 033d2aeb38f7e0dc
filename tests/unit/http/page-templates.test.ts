import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generate, OUTPUTS } from '../../../functions/http/build-templates.ts';
import { renderConfirmEmail } from '../../../functions/http/pages.ts';

/**
 * The API function ships the confirmation email precompiled (it must not bundle MJML). These
 * fail when templates/confirm.mjml, confirm.txt.hbs or pages/*.hbs changed and `npm run templates`
 * was not run, so the committed outputs cannot drift from their sources.
 */
describe('precompiled templates', () => {
  it('templates/confirm.html.hbs is what MJML makes of templates/confirm.mjml now', async () => {
    const fresh = await generate();
    expect(await readFile(OUTPUTS.html, 'utf8')).toBe(fresh.html);
  });

  it('functions/http/templates.generated.ts matches its sources', async () => {
    const fresh = await generate();
    expect(await readFile(OUTPUTS.module, 'utf8')).toBe(fresh.module);
  });

  it('filling the slots leaves no Handlebars and escapes the address', () => {
    const { html, text } = renderConfirmEmail({
      brandName: 'Brand & Co',
      brandColor: '#123456',
      postalAddress: '1 Street',
      lang: 'en',
      email: '"<b>"@example.com',
      confirmUrl: 'https://x.test/confirm?token=a.b.c',
      hours: 48,
    });
    expect(html).not.toMatch(/\{\{|#010203/);
    expect(html).toContain('background:#123456');
    expect(html).toContain('href="https://x.test/confirm?token=a.b.c"');
    expect(html).toContain('&quot;&lt;b&gt;&quot;@example.com');
    expect(html).toContain('Brand &amp; Co');
    expect(text).toContain('https://x.test/confirm?token=a.b.c');
    expect(text).toContain('48 hours');
    expect(text).toContain('Brand & Co');
  });
});
