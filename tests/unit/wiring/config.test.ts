import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/errors.ts';
import { parseConfig } from '../../../functions/wiring/config.ts';
import { sendQuota } from '../../../functions/wiring/settings.ts';

describe('config', () => {
  it('has defaults that run locally with no environment at all', () => {
    const config = parseConfig({});
    expect(config.DIGEST_DATA_DIR).toBe('.data');
    expect(config.DIGEST_SEND_RATE).toBeUndefined();
    expect(config.DIGEST_SES_CONFIGURATION_SET).toBeUndefined();
  });

  it('treats empty strings as unset for optional keys', () => {
    expect(parseConfig({ DIGEST_SES_CONFIGURATION_SET: '' }).DIGEST_SES_CONFIGURATION_SET).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      parseConfig({
        DIGEST_FROM_ADDRESS: 'nope',
        DIGEST_PUBLIC_URL: 'not a url',
        DIGEST_BRAND_COLOR: 'blue',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/^DIGEST_FROM_ADDRESS: /m);
    expect(issues).toMatch(/^DIGEST_PUBLIC_URL: /m);
    expect(issues).toMatch(/^DIGEST_BRAND_COLOR: /m);
  });

  it('coerces numbers and rejects non-positive rates', () => {
    expect(parseConfig({ DIGEST_SEND_RATE: '14' }).DIGEST_SEND_RATE).toBe(14);
    expect(() => parseConfig({ DIGEST_SEND_RATE: '0' })).toThrow(/DIGEST_SEND_RATE/);
  });
});

describe('send quota source', () => {
  const sender = { getQuota: async () => ({ maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 123 }) };

  it('asks SES when the quota is not configured', async () => {
    expect(await sendQuota(parseConfig({}), sender)).toEqual({
      maxSendRate: 14,
      max24HourSend: 50_000,
      sentLast24Hours: 123,
    });
  });

  it('uses the configured rate and daily quota on AWS, where GetAccount would need Resource "*"', async () => {
    const config = parseConfig({ DIGEST_SEND_RATE: '40', DIGEST_DAILY_QUOTA: '200000' });
    const refusing = { getQuota: async () => Promise.reject(new Error('AccessDenied')) };
    expect(await sendQuota(config, refusing)).toEqual({
      maxSendRate: 40,
      max24HourSend: 200_000,
      sentLast24Hours: 0,
    });
  });
});
