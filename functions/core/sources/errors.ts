import { DigestError } from '../errors.ts';

/** A source cannot be used: the response is not a feed or a page, or it cannot be parsed. */
export class SourceError extends DigestError {
  override name = 'SourceError';
  constructor(
    readonly reason: 'content-type' | 'not-a-feed' | 'malformed' | 'empty' | 'unreachable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
