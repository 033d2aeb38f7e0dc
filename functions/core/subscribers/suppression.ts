import { createHash } from 'node:crypto';
import { mailboxKey } from './address.ts';

/**
 * Erasure keeps only a hash of the address, so that it is never re-added or mailed by mistake.
 * The entry lives in the subscriber store under its own key, with a status no mailable
 * subscriber can have.
 */
export const ERASED_STATUS = 'erased';
export const SUPPRESSED_PREFIX = 'suppressed#';

/**
 * Key of the suppression entry: sha256 of the mailbox's identity (see `mailboxKey`), so that a
 * change of case cannot slip an erased address back in.
 */
export function suppressionKey(email: string): string {
  return SUPPRESSED_PREFIX + createHash('sha256').update(mailboxKey(email), 'utf8').digest('hex');
}

export const isSuppressionKey = (key: string): boolean => key.startsWith(SUPPRESSED_PREFIX);
