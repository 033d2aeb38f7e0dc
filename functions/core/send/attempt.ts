import { SendFailure } from '../ports.ts';
import type { Deliver, DeliverOptions, Known, Outcome } from './deliver.ts';

/** How one recipient's delivery ended, as the run sees it. */
export interface Attempt {
  outcome: Outcome;
  /** Set when the provider refuses everything now (paused, daily quota): the run must stop. */
  halt?: SendFailure | undefined;
  /** Set when a store failed before the send (reading the subscriber, claiming the record). */
  error?: unknown;
}

/**
 * Delivers to one recipient and applies the rule both fan-outs (in process and the SQS send
 * function) share: a SendFailure thrown by `deliver` halts the run (the recipient's record already
 * says failed); any other error fails this recipient only and the run goes on. A claim that landed
 * despite the error leaves `sending`, which the next run reports as unknown rather than resending.
 */
export async function attemptDelivery(
  deliver: Deliver,
  email: string,
  options: DeliverOptions,
  known?: Known,
): Promise<Attempt> {
  try {
    return { outcome: await deliver(email, options, known) };
  } catch (error) {
    if (error instanceof SendFailure) return { outcome: 'failed', halt: error };
    return { outcome: 'failed', error };
  }
}
