import { doIUseEmail } from '@jsx-email/doiuse-email';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplatesFromDir } from '../../../functions/adapters/template-files.ts';
import {
  type Brand,
  compileIssue,
  type DigestView,
  type TemplateSet,
} from '../../../functions/core/render/compile.ts';
import { personalize } from '../../../functions/core/render/personalize.ts';
import { TEMPLATES } from '../../helpers/workspace.ts';

/**
 * No client surprises: the Can I Email data (caniemail.com, through @jsx-email/doiuse-email) on the
 * compiled digest, against a plain MJML sample compiled the same way (compileIssue, so the same
 * MJML options and clean-up). MJML's own output is the floor: what the sample has, every MJML email
 * has. Whatever our templates add beyond it must be listed in KEPT with the reason it is safe.
 */
const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*'];

/**
 * Features our templates add that some of those clients lack, each a progressive enhancement: a
 * client without it renders the email as if the declaration were not there, and it still reads well.
 */
const KEPT: Record<string, string> = {
  // `.digest-card div { overflow-wrap: break-word; word-wrap: break-word }` in digest.mjml. A
  // client that ignores it still wraps long words and URLs: MJML writes word-break:break-word on
  // every text cell. Where it is supported (Thunderbird, Samsung Email, …) it breaks only where a
  // word would overflow, which reads better than word-break alone.
  'overflow-wrap': 'a long word or URL is broken by MJML’s word-break:break-word instead',
};

const brand: Brand = {
  name: 'The Weekly Digest',
  color: '#1a56db',
  postalAddress: 'Example Media, 1 Example Street, Springfield, USA',
  lang: 'en',
  publicUrl: 'https://digest.example.com',
};
const recipient = {
  email: 'reader@example.org',
  unsubscribeUrl: 'https://digest.example.com/unsubscribe?token=t',
};

/** Every branch of the templates: links, source and date, attributed and unattributed quotes, two articles. */
const view: DigestView = {
  issueId: '2026-01-05-clients',
  subject: 'The Weekly Digest: Rivers and roads',
  date: '5 January 2026',
  archiveUrl: 'https://digest.example.com/issues/2026-01-05-clients',
  articles: [
    {
      title: 'Rivers rise and roads close',
      url: 'https://news.example.net/rivers',
      source: 'Example News',
      published: '2026-01-04',
      keyPoints: ['Rivers rose two metres overnight.', 'Three roads are closed until Friday.'],
      quotes: [
        { text: 'We have never seen water this high', speaker: 'Ana Ruiz', role: 'the county engineer' },
        { text: 'Stay home if you can', speaker: null, role: null },
      ],
    },
    { title: 'A second story without a link', keyPoints: ['It has one key point.'], quotes: [] },
  ],
};

/** A plain MJML email: a title, a preheader, text and a link (MJML's own markup, nothing of ours). */
const plainSample: TemplateSet = {
  layout: {
    file: 'plain.mjml',
    source: `<mjml lang="{{brand.lang}}">
  <mj-head>
    <mj-title>{{subject}}</mj-title>
    <mj-preview>{{preheader}}</mj-preview>
  </mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>{{#each articles}}{{title}} {{/each}}</mj-text>
        <mj-text><a href="{{recipient.unsubscribeUrl}}">Unsubscribe {{recipient.email}}</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
  },
  partials: {},
  text: { file: 'plain.txt.hbs', source: '{{subject}}' },
};

/** Unsupported feature × client pairs, e.g. "`overflow-wrap` is not supported by `gmail.ios`". */
function unsupported(html: string): Map<string, Set<string>> {
  const result = doIUseEmail(html, { emailClients: CLIENTS });
  const byFeature = new Map<string, Set<string>>();
  for (const error of result.success ? [] : result.errors) {
    const match = /^`(.+)` is not supported by `(.+)`$/.exec(error);
    if (!match) throw new Error(`unexpected doiuse-email message: ${error}`);
    const [, feature, client] = match as unknown as [string, string, string];
    byFeature.set(feature, (byFeature.get(feature) ?? new Set()).add(client));
  }
  return byFeature;
}

let digest: Map<string, Set<string>>;
let sample: Map<string, Set<string>>;

beforeAll(async () => {
  const html = (set: TemplateSet) =>
    compileIssue(set, view, brand).then((c) => personalize(c, recipient).html);
  digest = unsupported(await html(await loadTemplatesFromDir(TEMPLATES)));
  sample = unsupported(await html(plainSample));
});

describe('the digest against the Can I Email data (Gmail, Outlook, Apple Mail, Yahoo)', () => {
  it('the checker runs and finds MJML’s own floor in the plain sample', () => {
    // MJML itself uses @media, class selectors and the role attribute, which some clients lack.
    expect(sample.size).toBeGreaterThan(3);
    expect([...sample.keys()]).toContain('@media');
  });

  it('adds nothing beyond MJML’s own output but the features listed as kept, each with a reason', () => {
    const added = new Map(
      [...digest]
        .map(
          ([feature, clients]) =>
            [feature, [...clients].filter((c) => !sample.get(feature)?.has(c))] as const,
        )
        .filter(([, clients]) => clients.length > 0),
    );
    expect([...added.keys()].sort()).toEqual(Object.keys(KEPT).sort());
    for (const reason of Object.values(KEPT)) expect(reason.length).toBeGreaterThan(20);
  });
});
