import { describe, expect, it } from 'vitest';
import { decodeBody, sniffCharset } from '../../../functions/adapters/http/decode.ts';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('charset decoding', () => {
  it('uses the header charset first', () => {
    expect(decodeBody(latin1('Café Müller'), 'text/xml; charset=ISO-8859-1')).toEqual({
      text: 'Café Müller',
      charset: 'windows-1252', // WHATWG maps ISO-8859-1 to its superset
    });
  });

  it('else the XML prolog or an HTML meta, else UTF-8', () => {
    expect(
      decodeBody(latin1('<?xml version="1.0" encoding="ISO-8859-1"?><rss>José</rss>'), 'application/xml')
        .text,
    ).toContain('José');
    expect(
      decodeBody(latin1('<html><head><meta charset="iso-8859-1"></head>Zoë</html>'), 'text/html').text,
    ).toContain('Zoë');
    expect(
      decodeBody(
        latin1('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">…'),
        'text/html',
      ).charset,
    ).toBe('windows-1252');
    expect(decodeBody(Buffer.from('“quoted”'), 'text/plain')).toEqual({ text: '“quoted”', charset: 'utf-8' });
    expect(sniffCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x3c]))).toBe('utf-8');
  });

  it('decodes Shift_JIS, which TextDecoder supports', () => {
    const bytes = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]);
    expect(decodeBody(bytes, 'text/html; charset=Shift_JIS').text).toBe('こんにちは');
  });

  it('refuses a charset it cannot decode, by name, and a body that is not valid in its charset', () => {
    expect(() => decodeBody(Buffer.from('x'), 'text/xml; charset=x-klingon')).toThrow(
      /charset "x-klingon" is not supported/,
    );
    expect(() => decodeBody(latin1('Café'), 'text/xml; charset=utf-8')).toThrow(/not valid utf-8/);
  });
});
