import { RateLimiter } from 'limiter';

/** A token bucket that never lets more than `rate` messages start in any one-second window. */
export function makeLimiter(rate: number) {
  return new RateLimiter({ tokensPerInterval: rate, interval: 'second' });
}
