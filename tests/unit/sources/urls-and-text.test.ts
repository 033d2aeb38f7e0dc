import { describe, expect, it } from 'vitest';
import { cleanLine } from '../../../functions/core/sources/clean-text.ts';
import { acceptCanonical, canonicalUrl, httpUrl, sourceId } from '../../../functions/core/sources/urls.ts';

describe('URLs from feeds', () => {
  it('keeps only absolute http(s), resolving relative links', () => {
    expect(httpUrl('/a?b=1', 'http://news.example/feed')?.toString()).toBe('http://news.example/a?b=1');
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'file:///etc/passwd',
      'ftp://news.example/x',
      'http://user:pass@news.example/',
      `http://news.example/${'a'.repeat(3000)}`,
    ]) {
      expect(httpUrl(bad, 'http://news.example/'), bad).toBeUndefined();
    }
  });

  it('canonical URLs drop tracking parameters and fragments, keep real parameters', () => {
    expect(canonicalUrl('http://news.example/a?utm_source=rss&utm_medium=feed&id=7&fbclid=x#comments')).toBe(
      'http://news.example/a?id=7',
    );
    expect(canonicalUrl('http://News.Example/a?b=2&a=1')).toBe('http://news.example/a?a=1&b=2');
    expect(acceptCanonical('http://news.example/a', '/b?utm_campaign=x')).toBe('http://news.example/b');
    expect(acceptCanonical('http://news.example/a', 'http://evil.example/b')).toBeUndefined();
  });

  it('a source id ignores the fragment and host case', () => {
    expect(sourceId('http://News.example/feed.xml#x')).toBe(sourceId('http://news.example/feed.xml'));
    expect(sourceId('http://news.example/feed.xml')).not.toBe(sourceId('http://news.example/other.xml'));
  });
});

describe('text from strangers', () => {
  it('drops control characters, terminal escapes and bidi overrides, caps the length', () => {
    expect(cleanLine('Evil\u001b[2J title\u0007 with\u0000 controls\u202etxt.exe')).toBe(
      'Evil title with controlstxt.exe',
    );
    expect(cleanLine('  many\n\n  lines\t here ')).toBe('many lines here');
    expect(cleanLine('x'.repeat(1000), 300)).toHaveLength(300);
    expect(cleanLine(42)).toBe('');
  });
});
