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

/** The settings that reach mail headers and links: each hostile value refused by its variable's name. */
describe('config refuses header and link injection', () => {
  const issuesOf = (env: Record<string, string>) => {
    try {
      parseConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).issues.join('\n');
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['DIGEST_REPLY_TO', '"a@b.com Bcc":x@evil.example;', /single email address/],
    ['DIGEST_REPLY_TO', 'a@example.com, b@example.com', /single email address/],
    ['DIGEST_REPLY_TO', 'Ops <ops@example.com>', /single email address/],
    ['DIGEST_REPLY_TO', 'ops@example.com\r\nBcc: x@evil.example', /single email address/],
    ['DIGEST_FROM_NAME', 'Digest\r\nBcc: x@evil.example', /one line without control characters/],
    ['DIGEST_FROM_NAME', 'Digest\u001b]0;pwned\u0007', /one line without control characters/],
    ['DIGEST_BRAND_NAME', 'Brand\nX-Evil: 1', /one line without control characters/],
    ['DIGEST_PUBLIC_URL', 'javascript:alert(document.cookie)', /http:\/\/ or https:\/\//],
    ['DIGEST_PUBLIC_URL', 'data:text/html,<script>alert(1)</script>', /http:\/\/ or https:\/\//],
    ['DIGEST_PUBLIC_URL', 'file:///etc/passwd', /http:\/\/ or https:\/\//],
  ])('%s=%j is refused, named', (key, value, message) => {
    const issues = issuesOf({ [key]: value });
    expect(issues).toMatch(new RegExp(`^${key}: `, 'm'));
    expect(issues).toMatch(message);
  });

  it('names all three at once', () => {
    const issues = issuesOf({
      DIGEST_REPLY_TO: 'not an address',
      DIGEST_FROM_NAME: 'a\rb',
      DIGEST_PUBLIC_URL: 'vbscript:msgbox',
    });
    for (const key of ['DIGEST_REPLY_TO', 'DIGEST_FROM_NAME', 'DIGEST_PUBLIC_URL']) {
      expect(issues).toMatch(new RegExp(`^${key}: `, 'm'));
    }
  });

  it('keeps good values: one Reply-To address (domain lower-cased), a plain name, an https URL', () => {
    const config = parseConfig({
      DIGEST_REPLY_TO: 'Editors@News.Example',
      DIGEST_FROM_NAME: 'Ana from “The Digest”',
      DIGEST_PUBLIC_URL: 'https://news.example/digest',
    });
    expect(config.DIGEST_REPLY_TO).toBe('Editors@news.example');
    expect(config.DIGEST_FROM_NAME).toBe('Ana from “The Digest”');
    expect(config.DIGEST_PUBLIC_URL).toBe('https://news.example/digest');
    expect(parseConfig({ DIGEST_REPLY_TO: '', DIGEST_FROM_NAME: '' })).toMatchObject({
      DIGEST_REPLY_TO: undefined,
      DIGEST_FROM_NAME: undefined,
    });
  });
});
