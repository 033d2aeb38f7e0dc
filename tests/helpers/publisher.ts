import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/**
 * A loopback publisher for the sources tests: a node:http server on 127.0.0.1 (port 0) serving
 * the invented feeds and pages in tests/fixtures/publisher/, with the behaviours a real publisher
 * has (ETag/Last-Modified and 304s, redirects, errors, slowness, huge bodies, other charsets,
 * compression, wrong types). Every request is recorded with its headers so tests can assert the
 * conditional GETs and the User-Agent.
 *
 * Fixtures may hold `{{base}}` (this server's origin), `{{rfc822:-H}}` and `{{iso:-H}}` (now minus
 * H hours), filled in once at start so ETags stay stable until a test changes a route.
 */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'publisher');

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

interface Route {
  type: string;
  body: Buffer;
  etag?: string | undefined;
  lastModified?: Date | undefined;
  status?: number;
  /** Extra headers (e.g. content-encoding, location). */
  headers?: Record<string, string>;
  /** Milliseconds before the answer starts. */
  delayMs?: number;
  /** Streams this many bytes of filler instead of `body` (an oversized answer). */
  streamBytes?: number;
}

export interface Publisher {
  origin: string;
  /** `${origin}${path}` */
  url(path: string): string;
  requests(path?: string): RecordedRequest[];
  resetRequests(): void;
  /** Replaces a route's body (new ETag and Last-Modified: the next GET is a 200 again). */
  setBody(path: string, body: string): void;
  /** The current body of a text route. */
  body(path: string): string;
  /** Serves a copy of another route at `path` (a second source to add, and later break). */
  copy(from: string, path: string): void;
  /** Makes a route answer this status from now on (a source that worked and then broke). */
  fail(path: string, status: number): void;
  close(): Promise<void>;
}

export interface PublisherOptions {
  /** How long /slow.xml waits before answering (default 3 s). */
  slowMs?: number;
  /** Answer every request after this many ms (the bench's 50 ms server). */
  latencyMs?: number;
}

function render(template: string, origin: string, now: number): string {
  return template
    .replace(/\{\{base\}\}/g, origin)
    .replace(/\{\{rfc822:(-?\d+)\}\}/g, (_, h: string) => new Date(now + Number(h) * 3_600_000).toUTCString())
    .replace(/\{\{iso:(-?\d+)\}\}/g, (_, h: string) => new Date(now + Number(h) * 3_600_000).toISOString());
}

export const fixtureText = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** A fixture as the publisher would serve it from `origin` (for unit tests without a server). */
export const renderFixture = (name: string, origin = 'http://news.example', now = Date.now()) =>
  render(fixtureText(name), origin, now);

const etagOf = (body: Buffer) => `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;

export async function startPublisher(options: PublisherOptions = {}): Promise<Publisher> {
  const routes = new Map<string, Route>();
  const recorded: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.get(path);
    const record = (status: number) =>
      recorded.push({ method: req.method ?? 'GET', path, headers: req.headers, status });
    const answer = () => serve(route, req.headers, res, record);
    const delay = (route?.delayMs ?? 0) + (options.latencyMs ?? 0);
    if (delay > 0) {
      const timer = setTimeout(answer, delay);
      res.once('close', () => clearTimeout(timer));
    } else answer();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = Date.now();
  const started = new Date(Math.floor(now / 1000) * 1000 - 60_000);

  const text = (type: string, template: string, extra: Partial<Route> = {}): Route => {
    const body = Buffer.from(render(template, origin, now));
    return { type, body, etag: etagOf(body), lastModified: started, ...extra };
  };
  const feed = (name: string) => fixtureText(join('feeds', name));
  const rss = 'application/rss+xml; charset=utf-8';
  const html = 'text/html; charset=utf-8';

  routes.set('/feed.xml', text(rss, feed('coastal-courier.rss.xml')));
  for (const page of [
    'tram-extension',
    'bakery-award',
    'night-clinic',
    'wind-farm',
    'hallam-point',
    'ferry-winter',
  ]) {
    routes.set(`/news/${page}.html`, text(html, fixtureText(`pages/${page}.html`)));
  }
  routes.set('/page/election.html', text(html, fixtureText('pages/election-turnout.html')));
  routes.set('/observatory.atom', text('application/atom+xml', feed('observatory.atom.xml')));
  routes.set('/harbour.json', text('application/feed+json', feed('harbour.feed.json')));
  routes.set('/bridges.rdf', text('application/rdf+xml', feed('bridges.rdf.xml')));
  routes.set('/gazette.xml', text(rss, feed('island-gazette.rss.xml')));
  routes.set('/malformed.xml', text('application/xml', feed('malformed.xml')));
  routes.set('/hostile.xml', text(rss, feed('hostile.rss.xml')));
  routes.set('/billion.xml', text('application/xml', feed('billion-laughs.xml')));
  // ISO-8859-1 bytes, declared only in the XML prolog / only in the header.
  const latin1 = Buffer.from(
    render(readFileSync(join(FIXTURES, 'feeds', 'latin1.rss.xml'), 'latin1'), origin, now),
    'latin1',
  );
  routes.set('/latin1.xml', { type: 'application/rss+xml', body: latin1, etag: etagOf(latin1) });
  routes.set('/latin1-header.xml', {
    type: 'text/xml; charset=ISO-8859-1',
    body: Buffer.from(latin1.toString('latin1').replace(/ encoding="ISO-8859-1"/, ''), 'latin1'),
  });
  routes.set('/klingon.xml', text('text/xml; charset=x-klingon', feed('coastal-courier.rss.xml')));
  const courier = routes.get('/feed.xml')?.body as Buffer;
  routes.set('/gzip/feed.xml', {
    type: rss,
    body: gzipSync(courier),
    headers: { 'content-encoding': 'gzip' },
  });
  routes.set('/br/feed.xml', {
    type: rss,
    body: brotliCompressSync(courier),
    headers: { 'content-encoding': 'br' },
  });
  // 16 MB of spaces gzipped to ~16 KB: small on the wire, too big once inflated.
  routes.set('/bomb.xml', {
    type: rss,
    body: gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)),
    headers: { 'content-encoding': 'gzip' },
  });
  routes.set('/huge.xml', { type: rss, body: Buffer.alloc(0), streamBytes: 12 * 1024 * 1024 });
  routes.set('/wrong-type.xml', {
    type: 'image/png',
    body: Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex'),
  });
  routes.set('/500.xml', { type: 'text/plain', body: Buffer.from('internal error'), status: 500 });
  routes.set('/slow.xml', { ...text(rss, feed('coastal-courier.rss.xml')), delayMs: options.slowMs ?? 3000 });
  routes.set('/redirect', {
    type: 'text/plain',
    body: Buffer.alloc(0),
    status: 301,
    headers: { location: '/observatory.atom' },
  });
  routes.set('/redirect-loop', {
    type: 'text/plain',
    body: Buffer.alloc(0),
    status: 302,
    headers: { location: '/redirect-loop' },
  });
  routes.set('/to-metadata', {
    type: 'text/plain',
    body: Buffer.alloc(0),
    status: 302,
    headers: { location: 'http://169.254.169.254/latest/meta-data/' },
  });
  routes.set('/to-file', {
    type: 'text/plain',
    body: Buffer.alloc(0),
    status: 302,
    headers: { location: 'file:///etc/passwd' },
  });

  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests: (path) => (path ? recorded.filter((r) => r.path === path) : [...recorded]),
    resetRequests: () => {
      recorded.length = 0;
    },
    setBody(path, template) {
      const old = routes.get(path);
      const body = Buffer.from(render(template, origin, Date.now()));
      routes.set(path, {
        type: old?.type ?? 'text/plain',
        body,
        etag: etagOf(body),
        // Whole seconds (HTTP dates), and later than any earlier version.
        lastModified: new Date(Math.max(Date.now(), (old?.lastModified?.getTime() ?? 0) + 1000)),
      });
    },
    body: (path) => routes.get(path)?.body.toString('utf8') ?? '',
    copy(from, path) {
      const route = routes.get(from);
      if (route) routes.set(path, { ...route });
    },
    fail(path, status) {
      routes.set(path, { type: 'text/plain', body: Buffer.from('unavailable'), status });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(
  route: Route | undefined,
  headers: IncomingHttpHeaders,
  res: ServerResponse,
  record: (status: number) => void,
): void {
  if (!route) {
    record(404);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const validators: Record<string, string> = {};
  if (route.etag) validators.etag = route.etag;
  if (route.lastModified) validators['last-modified'] = route.lastModified.toUTCString();
  const since = headers['if-modified-since'] ? Date.parse(headers['if-modified-since']) : Number.NaN;
  const notModified =
    (route.etag !== undefined && headers['if-none-match'] === route.etag) ||
    (headers['if-none-match'] === undefined &&
      route.lastModified !== undefined &&
      !Number.isNaN(since) &&
      since >= Math.floor(route.lastModified.getTime() / 1000) * 1000);
  if (notModified) {
    record(304);
    res.writeHead(304, validators).end();
    return;
  }
  const status = route.status ?? 200;
  record(status);
  if (route.streamBytes) {
    res.writeHead(status, { 'content-type': route.type, ...validators });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < (route.streamBytes ?? 0)) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.once('close', () => {
      sent = Number.POSITIVE_INFINITY; // the client gave up: stop pumping
    });
    pump();
    return;
  }
  res.writeHead(status, {
    'content-type': route.type,
    'content-length': String(route.body.length),
    ...validators,
    ...route.headers,
  });
  res.end(route.body);
}
