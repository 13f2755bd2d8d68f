import { describe, expect, it } from 'vitest';
import { originAllowed } from './origins.ts';

describe('originAllowed', () => {
  it('admits every origin when the app lists none', () => {
    expect(originAllowed(null, 'https://anywhere.example')).toBe(true);
  });

  it('does not check a client that sends no Origin (not a browser)', () => {
    expect(originAllowed(['https://app.example.com'], undefined)).toBe(true);
  });

  it('matches exact origins, ignoring case', () => {
    const allowed = ['https://app.example.com'];
    expect(originAllowed(allowed, 'https://APP.example.com')).toBe(true);
    expect(originAllowed(allowed, 'http://app.example.com')).toBe(false);
    expect(originAllowed(allowed, 'https://app.example.com:8443')).toBe(false);
    expect(originAllowed(allowed, 'null')).toBe(false);
  });

  it('matches any origin with *', () => {
    expect(originAllowed(['*'], 'https://x.test')).toBe(true);
  });

  it('matches subdomains, not the apex or a look-alike, with https://*.example.com', () => {
    const allowed = ['https://*.example.com'];
    expect(originAllowed(allowed, 'https://a.example.com')).toBe(true);
    expect(originAllowed(allowed, 'https://a.b.example.com')).toBe(true);
    expect(originAllowed(allowed, 'https://example.com')).toBe(false);
    expect(originAllowed(allowed, 'https://.example.com')).toBe(false);
    expect(originAllowed(allowed, 'https://evilexample.com')).toBe(false);
    expect(originAllowed(allowed, 'http://a.example.com')).toBe(false);
  });
});
