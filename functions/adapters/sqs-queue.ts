import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RecipientMessage, RecipientQueue } from '../core/ports.ts';

export const SQS_BATCH = 10;

/** One SendMessageBatch call: entries in, which ids were accepted and which refused (and whose fault). */
export type SendBatch = (entries: { Id: string; MessageBody: string }[]) => Promise<{
  successful: string[];
  failed: { id: string; senderFault: boolean; code: string; message?: string | undefined }[];
}>;

/**
 * Queues messages ten per call. SendMessageBatch can accept some entries and refuse others:
 * refused entries that are not our fault are resent alone, with backoff, a bounded number of
 * times; one refused as our fault (malformed) stops the fan-out with its reason. Returns how many
 * were accepted.
 */
export async function enqueueInBatches(
  messages: RecipientMessage[],
  sendBatch: SendBatch,
  options: { attempts?: number; backoffMs?: number } = {},
): Promise<number> {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 100;
  let accepted = 0;
  for (let i = 0; i < messages.length; i += SQS_BATCH) {
    let batch = messages
      .slice(i, i + SQS_BATCH)
      .map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
    for (let attempt = 1; batch.length > 0; attempt++) {
      const out = await sendBatch(batch);
      accepted += out.successful.length;
      const senderFault = out.failed.find((f) => f.senderFault);
      if (senderFault) {
        throw new Error(
          `SQS refused a recipient message: ${senderFault.code} ${senderFault.message ?? ''}`.trim(),
        );
      }
      const refused = new Set(out.failed.map((f) => f.id));
      batch = batch.filter((e) => refused.has(e.Id));
      if (batch.length > 0 && attempt >= attempts) {
        throw new Error(`SQS did not accept ${batch.length} recipient message(s) after ${attempts} attempts`);
      }
      if (batch.length > 0) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
  }
  return accepted;
}

/**
 * SQS fan-out: one message per recipient, so a failed recipient is retried alone (the send
 * function reports it in batchItemFailures) and the DLQ catches those that keep failing.
 */
export class SqsRecipientQueue implements RecipientQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(messages: RecipientMessage[]): Promise<number> {
    return enqueueInBatches(messages, async (entries) => {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      return {
        successful: (out.Successful ?? []).map((e) => e.Id ?? ''),
        failed: (out.Failed ?? []).map((f) => ({
          id: f.Id ?? '',
          senderFault: f.SenderFault ?? false,
          code: f.Code ?? 'Error',
          message: f.Message,
        })),
      };
    });
  }
}

/** Parses a queued message body; throws with the reason when it is not ours. */
export function parseRecipientMessage(body: string): RecipientMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error('message body is not JSON');
  }
  const v = value as Partial<RecipientMessage>;
  if (typeof v?.issueId !== 'string' || typeof v.email !== 'string' || v.issueId === '' || v.email === '') {
    throw new Error('message body lacks issueId or email');
  }
  return { issueId: v.issueId, email: v.email, ...(v.retryUnknown ? { retryUnknown: true } : {}) };
}
