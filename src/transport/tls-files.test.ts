import { describe, expect, it } from 'vitest';
import { expiryWarning, type TlsMaterial } from './tls-files.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);
const expiring = (inMs: number): TlsMaterial => ({
  cert: Buffer.alloc(0),
  key: Buffer.alloc(0),
  summary: 'CN=ws.example.com until …',
  expiresAt: NOW + inMs,
  stamp: '',
});

describe('expiryWarning', () => {
  it('says nothing while two weeks or more are left', () => {
    expect(expiryWarning(expiring(14 * DAY), NOW)).toBeUndefined();
    expect(expiryWarning(expiring(90 * DAY), NOW)).toBeUndefined();
  });

  it('warns with the days left, asking after the renewal', () => {
    expect(expiryWarning(expiring(13 * DAY + 5), NOW)).toBe(
      'TLS certificate expires in 13 days: CN=ws.example.com until …; is its renewal running?',
    );
    expect(expiryWarning(expiring(DAY + 5), NOW)).toMatch(/^TLS certificate expires in 1 day:/);
    expect(expiryWarning(expiring(60_000), NOW)).toMatch(/expires within a day/);
  });

  it('says so when the certificate has expired', () => {
    expect(expiryWarning(expiring(-1), NOW)).toBe(
      'TLS certificate expired: CN=ws.example.com until …',
    );
  });
});
