import { randomUUID } from 'node:crypto';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
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
  /**
   * Addresses whose send is forwarded (the emulator accepts it) but never answered: the caller
   * times out without knowing that SES took the message.
   */
  hang?: string[];
  /** After this many accepted sends, answer every send as SES does when the daily quota is used up. */
  quotaAfter?: number;
  seed?: number;
}

export interface FaultProxy {
  url: string;
  stats: {
    forwarded: number;
    throttled: number;
    serverErrors: number;
    resets: number;
    rejected: number;
    hung: number;
    overQuota: number;
  };
  /** Every SendRawEmail call seen: recipient, SES message tags, what the proxy did. */
  calls: { to: string; tags: Record<string, string>; answer: string }[];
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
  const stats = {
    forwarded: 0,
    throttled: 0,
    serverErrors: 0,
    resets: 0,
    rejected: 0,
    hung: 0,
    overQuota: 0,
  };
  const calls: FaultProxy['calls'] = [];
  const hanging = new Set<ServerResponse>();
  const upstream = new URL(target);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      let hang = false;
      if (text.includes('Action=SendRawEmail')) {
        const form = new URLSearchParams(text);
        const raw = Buffer.from(form.get('RawMessage.Data') ?? '', 'base64');
        const to = /^To: (.+)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '';
        const tags: Record<string, string> = {};
        for (let i = 1; form.has(`Tags.member.${i}.Name`); i++) {
          tags[form.get(`Tags.member.${i}.Name`) ?? ''] = form.get(`Tags.member.${i}.Value`) ?? '';
        }
        const call = { to, tags, answer: 'forwarded' };
        calls.push(call);
        const reply = (status: number, code: string, xml: string) => {
          call.answer = code;
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(xml);
        };
        if (plan.paused) {
          reply(
            400,
            'paused',
            sesError('Sender', 'AccountSendingPausedException', 'Account sending paused.'),
          );
          return;
        }
        if (plan.quotaAfter !== undefined && stats.forwarded + stats.hung >= plan.quotaAfter) {
          stats.overQuota++;
          reply(400, 'quota', sesError('Sender', 'Throttling', 'Daily message quota exceeded.'));
          return;
        }
        if (to && plan.reject?.includes(to)) {
          stats.rejected++;
          reply(400, 'rejected', sesError('Sender', 'MessageRejected', 'Email address is not verified.'));
          return;
        }
        if (to && plan.hang?.includes(to)) {
          stats.hung++;
          call.answer = 'hung';
          hang = true;
        } else {
          const roll = random();
          if (roll < plan.throttle) {
            stats.throttled++;
            reply(400, 'throttled', sesError('Sender', 'Throttling', 'Maximum sending rate exceeded.'));
            return;
          }
          if (roll < plan.throttle + plan.serverError) {
            stats.serverErrors++;
            reply(
              500,
              'server-error',
              sesError('Receiver', 'InternalFailure', 'An internal error occurred.'),
            );
            return;
          }
          if (roll < plan.throttle + plan.serverError + plan.reset) {
            // Reset the connection without answering: the emulator never sees this request.
            stats.resets++;
            call.answer = 'reset';
            req.socket.resetAndDestroy();
            return;
          }
          stats.forwarded++;
        }
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
          if (hang) {
            // The emulator took the message; the caller never hears so.
            up.resume();
            hanging.add(res);
            return;
          }
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
    calls,
    plan,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
