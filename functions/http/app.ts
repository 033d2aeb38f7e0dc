import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ValidationError } from '../core/errors.ts';
import { CONSENT_WORDINGS, CURRENT_WORDING } from '../core/subscribers/consent.ts';
import { TokenError } from '../core/tokens.ts';
import { archiveRoutes } from './archive.ts';
import { type AppDeps, defaultClientIp } from './deps.ts';
import { renderMessage, renderPage } from './pages.ts';
import {
  confirm,
  erase,
  inspectConfirm,
  inspectUnsubscribe,
  RateLimitedError,
  signup,
  unsubscribe,
} from './signup.ts';

/**
 * The one HTTP app: signup page, double opt-in, one-click unsubscribe, erasure, health (and the
 * archive routes). The same app runs behind API Gateway (functions/handlers/api.ts) and on
 * @hono/node-server (functions/local/dev-server.ts, tests). Errors answer with a clear message
 * and a 4xx; error objects never reach a response body.
 */

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
const SUBSCRIBE_TYPES = [...FORM_TYPES, 'application/json'];

/** Whatever the request asked for: JSON for API clients, HTML pages for browsers. */
function wantsJson(c: Context): boolean {
  const type = c.req.header('content-type') ?? '';
  if (type.toLowerCase().startsWith('application/json')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  const ip = (c: Context) => (deps.clientIp ?? defaultClientIp)(c);
  const page = (c: Context, status: ContentfulStatusCode, html: string) => c.html(html, status);

  function fail(c: Context, status: ContentfulStatusCode, message: string, title = 'Something is wrong') {
    if (wantsJson(c)) return c.json({ error: message }, status);
    return page(c, status, renderMessage(deps.brand, { title, paragraphs: [message], back: true }));
  }

  app.use(
    '*',
    secureHeaders({
      // Tokens travel in URLs: never send them on to another site.
      referrerPolicy: 'no-referrer',
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    // Pages carry tokens and per-person state: no shared cache may keep them.
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });

  /** Body size and content type, for every POST. `allowEmpty`: the unsubscribe button posts nothing. */
  function guard(types: string[], allowEmpty: boolean) {
    const limit = bodyLimit({
      maxSize: deps.limits.maxBodyBytes,
      onError: (c) => fail(c, 413, `the request body is larger than ${deps.limits.maxBodyBytes} bytes`),
    });
    return async (c: Context, next: () => Promise<void>) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const length = c.req.header('content-length');
      const empty = !type && (length === undefined || length === '0');
      if (!(allowEmpty && empty) && !types.includes(type)) {
        return fail(c, 415, `send the form as ${types.join(' or ')} (got ${type || 'no content type'})`);
      }
      return limit(c, next);
    };
  }

  /** Form fields or a JSON object; throws ValidationError on malformed JSON or form data. */
  async function fields(c: Context): Promise<Record<string, unknown>> {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (type.startsWith('application/json')) {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ValidationError('the request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ValidationError('the JSON body must be an object like {"email": "you@example.com"}');
      }
      return body as Record<string, unknown>;
    }
    if (!type) return {};
    let form: Awaited<ReturnType<typeof c.req.parseBody>>;
    try {
      form = await c.req.parseBody();
    } catch (error) {
      // A broken multipart body (no boundary, a truncated part) is the sender's mistake: a 400.
      // (The Fetch API reports it as a TypeError; the size limit was applied before, in `guard`.)
      if (!(error instanceof TypeError)) throw error;
      throw new ValidationError('the form body could not be read: it is not valid form data');
    }
    return Object.fromEntries(
      Object.entries(form).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]),
    );
  }

  app.get('/health', (c) => c.json({ ok: true }));

  app.get('/', (c) =>
    page(
      c,
      200,
      renderPage(deps.brand, 'signup', `Subscribe to ${deps.brand.name}`, {
        action: '/subscribe',
        wording: CONSENT_WORDINGS[CURRENT_WORDING],
        wordingVersion: CURRENT_WORDING,
      }),
    ),
  );

  app.post('/subscribe', guard(SUBSCRIBE_TYPES, false), async (c) => {
    const body = await fields(c);
    // The honeypot: hidden from people, filled by bots. Nothing is stored or sent.
    if (typeof body.website === 'string' && body.website.trim() !== '') {
      return fail(c, 400, 'this form could not be accepted');
    }
    let result: Awaited<ReturnType<typeof signup>>;
    try {
      result = await signup(deps, {
        email: body.email,
        wording: body.wording,
        ip: ip(c),
        userAgent: c.req.header('user-agent'),
      });
    } catch (error) {
      if (error instanceof ValidationError && !wantsJson(c)) {
        const html = renderPage(deps.brand, 'signup', `Subscribe to ${deps.brand.name}`, {
          action: '/subscribe',
          wording: CONSENT_WORDINGS[CURRENT_WORDING],
          wordingVersion: CURRENT_WORDING,
          error: error.message,
          email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
        });
        return page(c, 400, html);
      }
      throw error;
    }
    deps.log?.info('signup', { outcome: result.outcome });
    const message =
      'If that address can receive mail, a confirmation link is on its way. Open it and press the button to start receiving the digest.';
    if (wantsJson(c)) return c.json({ ok: true, message }, 202);
    return page(
      c,
      202,
      renderMessage(deps.brand, {
        title: 'Check your inbox',
        paragraphs: [message, 'Nothing arrived? Look in your spam folder, or try again in ten minutes.'],
      }),
    );
  });

  app.get('/confirm', async (c) => {
    const token = c.req.query('token');
    const view = await inspectConfirm(deps, token);
    if (view.status === 'confirmed') {
      return page(
        c,
        200,
        renderMessage(deps.brand, {
          title: 'Already confirmed',
          paragraphs: [`${view.email} already receives ${deps.brand.name}.`],
        }),
      );
    }
    return page(
      c,
      200,
      renderPage(deps.brand, 'confirm', 'Confirm your subscription', {
        action: '/confirm',
        token,
        email: view.email,
      }),
    );
  });

  app.post('/confirm', guard(FORM_TYPES, true), async (c) => {
    const body = await fields(c);
    const token = typeof body.token === 'string' && body.token ? body.token : c.req.query('token');
    const result = await confirm(deps, token, ip(c));
    if (wantsJson(c)) return c.json({ ok: true, status: 'confirmed' });
    return page(
      c,
      200,
      renderMessage(deps.brand, {
        title: result.outcome === 'confirmed' ? 'Subscription confirmed' : 'Already confirmed',
        paragraphs: [
          `${result.email} will receive ${deps.brand.name}. Every issue has a one-click unsubscribe link.`,
        ],
      }),
    );
  });

  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    const email = await inspectUnsubscribe(deps, token);
    const q = `?token=${encodeURIComponent(token)}`;
    return page(
      c,
      200,
      renderPage(deps.brand, 'unsubscribe', 'Unsubscribe', {
        email,
        unsubscribeAction: `/unsubscribe${q}`,
        eraseAction: `/erase${q}`,
      }),
    );
  });

  // The button, and RFC 8058 one-click (body `List-Unsubscribe=One-Click`) from mailbox providers.
  app.post('/unsubscribe', guard(FORM_TYPES, true), async (c) => {
    const email = await unsubscribe(deps, c.req.query('token'));
    if (wantsJson(c)) return c.json({ ok: true, status: 'unsubscribed' });
    return page(
      c,
      200,
      renderMessage(deps.brand, {
        title: 'You are unsubscribed',
        paragraphs: [`${email} will not receive ${deps.brand.name} again.`],
      }),
    );
  });

  app.post('/erase', guard(FORM_TYPES, true), async (c) => {
    await erase(deps, c.req.query('token'));
    if (wantsJson(c)) return c.json({ ok: true, status: 'erased' });
    return page(
      c,
      200,
      renderMessage(deps.brand, {
        title: 'Your data is deleted',
        paragraphs: [
          'Your address and consent record are erased. We keep only a one-way hash of the address so it is never mailed or added back by mistake.',
        ],
      }),
    );
  });

  app.route('/issues', archiveRoutes(deps));

  app.notFound((c) => fail(c, 404, 'there is no page here', 'Not found'));
  app.onError((error, c) => {
    if (error instanceof RateLimitedError) {
      c.header('Retry-After', String(error.retryAfterSeconds));
      return fail(c, 429, error.message, 'Slow down');
    }
    if (error instanceof TokenError)
      return fail(c, 400, `This link does not work: ${error.message}.`, 'Link not valid');
    if (error instanceof ValidationError) return fail(c, 400, error.message);
    deps.log?.error('request failed', { path: c.req.path, error });
    return fail(c, 500, 'something went wrong on our side; please try again later', 'Sorry');
  });
  return app;
}
