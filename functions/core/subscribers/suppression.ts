import { createHash } from 'node:crypto';

/**
 * Erasure keeps only a hash of the address, so that it is never re-added or mailed by mistake.
 * The entry lives in the subscriber store under its own key, with a status no mailable
 * subscriber can have.
 */
export const ERASED_STATUS = 'erased';
export const SUPPRESSED_PREFIX = 'suppressed#';

/**
 * Key of the suppression entry: sha256 of the address, lower-cased so that a change of case in
 * the local part cannot slip an erased address back in.
 */
export function suppressionKey(email: string): string {
  return SUPPRESSED_PREFIX + createHash('sha256').update(email.toLowerCase(), 'utf8').digest('hex');
}

export const isSuppressionKey = (key: string): boolean => key.startsWith(SUPPRESSED_PREFIX);
