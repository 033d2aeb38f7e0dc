import { describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/config.ts';
import { ConfigError } from '../functions/errors.ts';

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
