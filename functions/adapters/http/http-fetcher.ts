import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Fetcher, FetchFailure, FetchRequest, FetchResponse } from '../../core/sources/ports.ts';
import { CharsetError, decodeBody } from './decode.ts';
import {
  type AddressPolicy,
  BlockedAddressError,
  checkAddress,
  guardedLookup,
  type Resolver,
  systemResolver,
} from './guarded-lookup.ts';

/**
 * `Fetcher` over node:http/https, for fetching strangers' URLs: http(s) only, a User-Agent that
 * names us, gzip/br with the decompressed size capped, one deadline for connect + redirects +
 * the whole body, a body cap, a redirect cap with every hop re-checked, charset decoding, and
 * SSRF safety on the address actually connected to (see guarded-lookup.ts). node:http rather
 * than fetch/undici: its `lookup` hook is the documented place to check resolved addresses, and
 * it adds no dependency.
 */
export interface HttpFetcherOptions extends AddressPolicy {
  /** e.g. "newsletter-digest/0.1 (+https://news.example.com)" — see `digestUserAgent`. */
  userAgent: string;
  /** One deadline for the whole fetch, redirects included (default 15 s). */
  timeoutMs?: number | undefined;
  /** Cap on the body, compressed and decompressed (default 5 MB). */
  maxBytes?: number | undefined;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number | undefined;
  resolver?: Resolver | undefined;
}

export function digestUserAgent(name: string, version: string, publicUrl: string): string {
  const product = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'digest';
  return `${product}/${version} (+${publicUrl}; newsletter digest feed fetcher)`;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Types whose bodies are text worth decoding (feeds, pages, JSON); anything else is not read. */
const TEXTUAL = /^\s*(text\/|application\/([a-z0-9.+-]*\+)?(xml|json)\b|application\/xhtml)/i;

class Failure extends Error {
  constructor(
    readonly reason: FetchFailure['reason'],
    message: string,
  ) {
    super(message);
  }
}

export class HttpFetcher implements Fetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: HttpFetcherOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.maxRedirects = options.maxRedirects ?? 5;
    const lookup = guardedLookup(options.resolver ?? systemResolver, options);
    // Keep-alive: revalidating many feeds of one host reuses its connections (at most 2 per host
    // are used at a time anyway, see core/sources/limits.ts).
    const agentOptions = { keepAlive: true, maxSockets: 4, lookup, timeout: this.timeoutMs };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  /** Closes idle keep-alive connections (end of a run, end of a test). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async get(request: FetchRequest): Promise<FetchResponse | FetchFailure> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const onAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let url = request.url;
    try {
      for (let redirects = 0; ; redirects++) {
        const target = this.checkUrl(url);
        const res = await this.request(target, request, redirects === 0, controller.signal);
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode ?? 0) && location) {
          res.destroy();
          if (redirects >= this.maxRedirects)
            throw new Failure(
              'too-many-redirects',
              `more than ${this.maxRedirects} redirects (last to ${location})`,
            );
          try {
            url = new URL(location, target).toString();
          } catch {
            throw new Failure('bad-url', `redirect to an invalid URL: ${location.slice(0, 200)}`);
          }
          continue;
        }
        return await this.finish(res, target, redirects, controller.signal);
      }
    } catch (error) {
      return { ok: false, url, ...this.failureOf(error, controller.signal, url) };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  private failureOf(
    error: unknown,
    signal: AbortSignal,
    url: string,
  ): Pick<FetchFailure, 'reason' | 'message'> {
    if (error instanceof Failure) return { reason: error.reason, message: error.message };
    if (error instanceof BlockedAddressError) return { reason: 'blocked-address', message: error.message };
    if (error instanceof CharsetError) return { reason: 'charset', message: error.message };
    if (signal.aborted)
      return { reason: 'timeout', message: `no complete answer within ${this.timeoutMs / 1000} s` };
    const code = (error as NodeJS.ErrnoException).code;
    const host = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return { reason: 'dns', message: `${host} cannot be resolved` };
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR__ERROR_FORMAT_PADDING_1')
      return { reason: 'decoding', message: 'the compressed body is corrupt' };
    return { reason: 'network', message: `${host}: ${(error as Error).message}${code ? ` (${code})` : ''}` };
  }

  /** http(s) only, and a literal IP address is checked here: Node does not call `lookup` for one. */
  private checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Failure('bad-url', `not a URL: ${raw.slice(0, 200)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Failure(
        'bad-url',
        `only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}:`,
      );
    if (url.username || url.password) throw new Failure('bad-url', 'URLs with credentials are not fetched');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // The URL parser has already turned 0x7f.1, 2130706433 and the like into dotted form.
    if (isIP(host)) checkAddress(url.hostname, host, this.options);
    return url;
  }

  private request(
    url: URL,
    request: FetchRequest,
    first: boolean,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: request.accept ?? '*/*',
      'accept-encoding': 'gzip, br',
    };
    // Validators belong to the URL they came from: only the first hop carries them.
    if (first && request.etag) headers['if-none-match'] = request.etag;
    if (first && request.lastModified) headers['if-modified-since'] = request.lastModified;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method: 'GET',
        headers,
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        signal,
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }

  private async finish(
    res: IncomingMessage,
    url: URL,
    redirects: number,
    signal: AbortSignal,
  ): Promise<FetchResponse> {
    const status = res.statusCode ?? 0;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const contentType = headers['content-type'] ?? '';
    const base = { ok: true as const, status, url: url.toString(), redirects, headers, contentType };
    if (status === 304 || status < 200 || status > 299) {
      // Nothing to read: error pages and 304s are not parsed, so their bodies are not downloaded.
      res.destroy();
      return { ...base, charset: '', body: '', bytes: 0 };
    }
    if (contentType !== '' && !TEXTUAL.test(contentType)) {
      // An image, archive or binary is never a feed or a page: not downloaded, and the caller
      // refuses it by its type (an empty body says there was nothing to decode).
      res.destroy();
      return { ...base, charset: '', body: '', bytes: 0 };
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      res.destroy();
      throw new Failure('too-large', `body of ${declared} bytes is over the ${this.maxBytes}-byte limit`);
    }
    const bytes = await this.readBody(res, headers['content-encoding'], signal);
    const { text, charset } = decodeBody(bytes, contentType);
    return { ...base, charset, body: text, bytes: bytes.length };
  }

  private readBody(
    res: IncomingMessage,
    encoding: string | undefined,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const coding = (encoding ?? 'identity').trim().toLowerCase();
    let decoder: Transform | undefined;
    if (coding === 'gzip' || coding === 'x-gzip') decoder = zlib.createGunzip();
    else if (coding === 'br') decoder = zlib.createBrotliDecompress();
    else if (coding === 'deflate') decoder = zlib.createInflate();
    else if (coding !== 'identity' && coding !== '') {
      res.destroy();
      return Promise.reject(new Failure('decoding', `unsupported content encoding ${coding}`));
    }
    const max = this.maxBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let raw = 0;
      let size = 0;
      let settled = false;
      const stop = (error: Error) => {
        if (settled) return;
        settled = true;
        res.destroy();
        decoder?.destroy();
        reject(error);
      };
      signal.addEventListener('abort', () => stop(new Error('aborted')), { once: true });
      res.on('data', (chunk: Buffer) => {
        raw += chunk.length;
        if (raw > max) stop(new Failure('too-large', `body is over the ${max}-byte limit`));
      });
      const output = decoder ? res.pipe(decoder) : res;
      output.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // A small compressed body can inflate to gigabytes: the cap is on what it inflates to.
        if (size > max)
          stop(new Failure('too-large', `body is over the ${max}-byte limit once decompressed`));
        else chunks.push(chunk);
      });
      output.once('end', () => {
        if (settled) return;
        settled = true;
        resolve(Buffer.concat(chunks));
      });
      output.once('error', (error) => stop(error));
      res.once('error', (error) => stop(error));
      res.once('aborted', () => stop(new Error('the connection closed before the body was complete')));
    });
  }
}
