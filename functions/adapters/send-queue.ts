import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One recipient of one issue, as queued for the send function. */
export interface RecipientMessage {
  issueId: string;
  email: string;
  retryUnknown?: boolean;
}

export interface RecipientQueue {
  /** Queues recipients; returns how many were accepted. Throws if any entry could not be queued. */
  enqueue(messages: RecipientMessage[]): Promise<number>;
}

const SQS_BATCH = 10;

/**
 * SQS fan-out: one message per recipient, so a failed recipient is retried alone (the send
 * function reports it in batchItemFailures) and the DLQ catches those that keep failing.
 */
export class SqsRecipientQueue implements RecipientQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: RecipientMessage[]): Promise<number> {
    let sent = 0;
    for (let i = 0; i < messages.length; i += SQS_BATCH) {
      let batch = messages
        .slice(i, i + SQS_BATCH)
        .map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
      // SendMessageBatch can accept some entries and refuse others: resend only the refused, a few times.
      for (let attempt = 0; batch.length > 0; attempt++) {
        const out = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch }),
        );
        sent += out.Successful?.length ?? 0;
        const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
        const senderFault = (out.Failed ?? []).find((f) => f.SenderFault);
        if (senderFault)
          throw new Error(
            `SQS refused a recipient message: ${senderFault.Code} ${senderFault.Message ?? ''}`,
          );
        batch = batch.filter((e) => failedIds.has(e.Id));
        if (batch.length > 0 && attempt >= 4)
          throw new Error(`SQS did not accept ${batch.length} recipient message(s)`);
        if (batch.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
    return sent;
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
