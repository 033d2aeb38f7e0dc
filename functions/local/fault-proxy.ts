import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy in front of the SES emulator that misbehaves like the real service and network
 * do, for fault tests: SES throttling answers, 500s, and connections reset before the request is
 * forwarded (so the emulator never saw it). Choices come from a seeded PRNG: a run is repeatable.
 */
export interface FaultPlan {
  throttle: number;
  serverError: number;
  reset: number;
  /** Addresses SES rejects for good (MessageRejected). */
  reject?: string[];
  /** Answer every send with AccountSendingPausedException. */
  paused?: boolean;
  seed?: number;
}

export interface FaultProxy {
  url: string;
  stats: { forwarded: number; throttled: number; serverErrors: number; resets: number; rejected: number };
  plan: FaultPlan;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, good enough to spread faults. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sesError = (type: 'Sender' | 'Receiver', code: string, message: string) =>
  `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

export async function startFaultProxy(target: string, plan: FaultPlan): Promise<FaultProxy> {
  const random = prng(plan.seed ?? 42);
  const stats = { forwarded: 0, throttled: 0, serverErrors: 0, resets: 0, rejected: 0 };
  const upstream = new URL(target);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      if (text.includes('Action=SendRawEmail')) {
        const reply = (status: number, xml: string) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(xml);
        };
        if (plan.paused) {
          reply(400, sesError('Sender', 'AccountSendingPausedException', 'Account sending paused.'));
          return;
        }
        const raw = Buffer.from(
          decodeURIComponent(/RawMessage\.Data=([^&]+)/.exec(text)?.[1] ?? ''),
          'base64',
        );
        const to = /^To: (.+)$/m.exec(raw.toString('utf8'))?.[1]?.trim();
        if (to && plan.reject?.includes(to)) {
          stats.rejected++;
          reply(400, sesError('Sender', 'MessageRejected', 'Email address is not verified.'));
          return;
        }
        const roll = random();
        if (roll < plan.throttle) {
          stats.throttled++;
          reply(400, sesError('Sender', 'Throttling', 'Maximum sending rate exceeded.'));
          return;
        }
        if (roll < plan.throttle + plan.serverError) {
          stats.serverErrors++;
          reply(500, sesError('Receiver', 'InternalFailure', 'An internal error occurred.'));
          return;
        }
        if (roll < plan.throttle + plan.serverError + plan.reset) {
          // Reset the connection without answering: the emulator never sees this request.
          stats.resets++;
          req.socket.resetAndDestroy();
          return;
        }
        stats.forwarded++;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    plan,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
