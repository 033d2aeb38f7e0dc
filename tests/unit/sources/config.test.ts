import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/errors.ts';
import { parseConfig } from '../../../functions/wiring/config.ts';

describe('sources configuration', () => {
  it('has safe defaults: private addresses refused, 7 days, 5 per source, 12 per issue', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      DIGEST_ALLOW_PRIVATE_SOURCES: false,
      DIGEST_BACKLOG_DAYS: 7,
      DIGEST_ITEMS_PER_SOURCE: 5,
      DIGEST_ITEMS_PER_ISSUE: 12,
      DIGEST_FETCH_TIMEOUT_SECONDS: 15,
      DIGEST_FETCH_MAX_BYTES: 5 * 1024 * 1024,
      SOURCES_TABLE: 'digest-sources',
    });
    expect(parseConfig({ DIGEST_ALLOW_PRIVATE_SOURCES: 'true' }).DIGEST_ALLOW_PRIVATE_SOURCES).toBe(true);
    expect(parseConfig({ DIGEST_ALLOW_PRIVATE_SOURCES: 'false' }).DIGEST_ALLOW_PRIVATE_SOURCES).toBe(false);
  });

  it('names every bad variable at once (a typo in the private switch is not read as false)', () => {
    let error: unknown;
    try {
      parseConfig({
        DIGEST_ALLOW_PRIVATE_SOURCES: 'ture',
        DIGEST_ITEMS_PER_SOURCE: '2.5',
        DIGEST_ITEMS_PER_ISSUE: '0',
        DIGEST_BACKLOG_DAYS: 'a week',
        DIGEST_FETCH_TIMEOUT_SECONDS: '-1',
        DIGEST_FETCH_MAX_BYTES: 'lots',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as ConfigError).issues.map((i) => i.split(':')[0]).sort();
    expect(named).toEqual([
      'DIGEST_ALLOW_PRIVATE_SOURCES',
      'DIGEST_BACKLOG_DAYS',
      'DIGEST_FETCH_MAX_BYTES',
      'DIGEST_FETCH_TIMEOUT_SECONDS',
      'DIGEST_ITEMS_PER_ISSUE',
      'DIGEST_ITEMS_PER_SOURCE',
    ]);
  });
});
