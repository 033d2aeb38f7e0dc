import { describe, expect, it } from 'vitest';
import {
  enqueueInBatches,
  parseRecipientMessage,
  type SendBatch,
} from '../../../functions/adapters/sqs-queue.ts';
import type { RecipientMessage } from '../../../functions/core/ports.ts';

/**
 * The fan-out's batching against SendMessageBatch's contract (10 entries a call, some may be
 * refused). No SQS-compatible server runs on Node 20 from npm here (fauxqs needs Node 22.5;
 * sqslite speaks only the XML query protocol, the SDK speaks JSON), so the call itself is an
 * in-process function with SendMessageBatch's answer shape: our port, not a mock of the SDK.
 */
const messages = (n: number): RecipientMessage[] =>
  Array.from({ length: n }, (_, i) => ({ issueId: 'issue-1', email: `r${i}@example.com` }));

/** A queue that keeps what it accepted, refusing entries as told per call. */
function queue(
  refuse: (call: number, entry: { Id: string; MessageBody: string }) => false | 'theirs' | 'ours',
) {
  const accepted: string[] = [];
  const calls: number[] = [];
  const send: SendBatch = async (entries) => {
    expect(entries.length).toBeLessThanOrEqual(10);
    expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);
    const call = calls.length;
    calls.push(entries.length);
    const out: Awaited<ReturnType<SendBatch>> = { successful: [], failed: [] };
    for (const entry of entries) {
      const why = refuse(call, entry);
      if (why === false) {
        accepted.push(entry.MessageBody);
        out.successful.push(entry.Id);
      } else {
        out.failed.push({
          id: entry.Id,
          senderFault: why === 'ours',
          code: why === 'ours' ? 'InvalidMessageContents' : 'ServiceUnavailable',
        });
      }
    }
    return out;
  };
  return { send, accepted, calls };
}

describe('enqueueInBatches', () => {
  it('queues ten per call, each recipient once', async () => {
    const q = queue(() => false);
    expect(await enqueueInBatches(messages(23), q.send)).toBe(23);
    expect(q.calls).toEqual([10, 10, 3]);
    expect(q.accepted.map((b) => parseRecipientMessage(b).email)).toEqual(messages(23).map((m) => m.email));
  });

  it('resends only the refused entries of a partly accepted batch', async () => {
    // The first call refuses entries 2 and 5 (a service-side fault); the resend accepts them.
    const q = queue((call, entry) => call === 0 && (entry.Id === '2' || entry.Id === '5') && 'theirs');
    expect(await enqueueInBatches(messages(12), q.send, { backoffMs: 1 })).toBe(12);
    expect(q.calls).toEqual([10, 2, 2]);
    const emails = q.accepted.map((b) => parseRecipientMessage(b).email);
    expect(emails).toHaveLength(12);
    expect(new Set(emails).size).toBe(12);
  });

  it('stops with the reason when SQS says an entry is our fault', async () => {
    const q = queue((_call, entry) => entry.Id === '3' && 'ours');
    await expect(enqueueInBatches(messages(5), q.send)).rejects.toThrow(
      /SQS refused a recipient message: InvalidMessageContents/,
    );
  });

  it('gives up after a bounded number of attempts instead of looping', async () => {
    const q = queue((_call, entry) => entry.Id === '0' && 'theirs');
    await expect(enqueueInBatches(messages(3), q.send, { attempts: 3, backoffMs: 1 })).rejects.toThrow(
      /did not accept 1 recipient message\(s\) after 3 attempts/,
    );
    expect(q.calls).toEqual([3, 1, 1]);
  });
});

describe('parseRecipientMessage', () => {
  it('reads ours and names what is wrong with anything else', () => {
    expect(parseRecipientMessage('{"issueId":"i","email":"a@example.com","retryUnknown":true}')).toEqual({
      issueId: 'i',
      email: 'a@example.com',
      retryUnknown: true,
    });
    expect(() => parseRecipientMessage('not json')).toThrow(/not JSON/);
    expect(() => parseRecipientMessage('{"issueId":"i"}')).toThrow(/lacks issueId or email/);
    expect(() => parseRecipientMessage('{"issueId":"","email":"a@example.com"}')).toThrow(/lacks/);
  });
});
