import { describe, expect, it } from 'vitest';
import type { ConfirmMail } from '../../../functions/core/ports.ts';
import {
  confirmMailSlot,
  pruneConfirmMails,
  validConfirmMail,
} from '../../../functions/core/subscribers/confirm-mails.ts';

const limits = { perDay: 3, minIntervalSeconds: 600 };
const at = (iso: string, nonce = iso, hours = 48): ConfirmMail => ({
  at: iso,
  nonce,
  exp: Date.parse(iso) / 1000 + hours * 3600,
});
const log = [at('2030-03-04T10:47:00Z'), at('2030-03-04T11:10:00Z'), at('2030-03-04T13:00:00Z')];

describe('the per-mailbox cap on confirmation mails', () => {
  it('allows the first mails, then holds back the fourth in the same 24 hours', () => {
    expect(confirmMailSlot(undefined, new Date('2030-03-04T10:00:00Z'), limits).allowed).toBe(true);
    expect(confirmMailSlot(log.slice(0, 2), new Date('2030-03-04T12:00:00Z'), limits).allowed).toBe(true);
    expect(confirmMailSlot(log, new Date('2030-03-04T20:00:00Z'), limits)).toEqual({
      allowed: false,
      reason: 'per-day',
      retryAfterSeconds: 14 * 3600 + 47 * 60, // until 10:47 the next day, when the first mail turns a day old
    });
  });

  it('slides: one mail frees at a time, a day after it was sent', () => {
    expect(confirmMailSlot(log, new Date('2030-03-05T10:46:59Z'), limits).allowed).toBe(false);
    expect(confirmMailSlot(log, new Date('2030-03-05T10:47:01Z'), limits).allowed).toBe(true);
    expect(
      confirmMailSlot([...log, at('2030-03-05T10:48:00Z')], new Date('2030-03-05T11:00:00Z'), limits),
    ).toMatchObject({
      allowed: false,
      retryAfterSeconds: 10 * 60, // the 11:10 mail of the day before
    });
  });

  it('keeps mails apart by the resend interval', () => {
    expect(confirmMailSlot([at('2030-03-04T10:47:00Z')], new Date('2030-03-04T10:50:00Z'), limits)).toEqual({
      allowed: false,
      reason: 'interval',
      retryAfterSeconds: 7 * 60,
    });
  });

  it('prunes what no longer counts nor confirms, and finds the newest valid link', () => {
    const now = new Date('2030-03-06T12:00:00Z');
    expect(pruneConfirmMails(log, now).map((m) => m.at)).toEqual(['2030-03-04T13:00:00Z']);
    expect(validConfirmMail(log, now)?.nonce).toBe('2030-03-04T13:00:00Z');
    expect(validConfirmMail(log, new Date('2030-03-07T00:00:00Z'))).toBeUndefined();
  });
});
