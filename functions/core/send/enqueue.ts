import type { IssueStore, RecipientQueue, SubscriberStore } from '../ports.ts';

/** Addresses read per page of the status index while queueing. */
const PAGE = 500;

/**
 * The AWS fan-out: one queue message per confirmed recipient, page by page (memory stays flat),
 * then the count on the issue record so the send functions can tell when the last one is done.
 * An issue with nobody to send to is sent at once.
 */
export async function enqueueIssue(
  deps: { subscribers: Pick<SubscriberStore, 'pagesByStatus'>; issues: IssueStore; queue: RecipientQueue },
  issueId: string,
  options: { retryUnknown?: boolean | undefined } = {},
): Promise<number> {
  let queued = 0;
  for await (const page of deps.subscribers.pagesByStatus('confirmed', PAGE)) {
    queued += await deps.queue.enqueue(
      page.map((email) => ({ issueId, email, ...(options.retryUnknown ? { retryUnknown: true } : {}) })),
    );
  }
  await deps.issues.setEnqueued(issueId, queued);
  if (queued === 0) await deps.issues.setState(issueId, 'sent');
  return queued;
}
