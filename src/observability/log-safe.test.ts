import { describe, expect, it } from 'vitest';
import { withoutSignatures } from './log-safe.ts';

const SIGNATURE = 'a'.repeat(40) + '0123456789abcdef01234567';

describe('withoutSignatures', () => {
  it('keeps what was signed but drops the signature the client sent', () => {
    expect(
      withoutSignatures(
        `Invalid signature: Expected HMAC SHA256 hex digest of 1.2:private-a, but got not-hex`,
      ),
    ).toBe(
      'Invalid signature: Expected HMAC SHA256 hex digest of 1.2:private-a, but got [signature]',
    );
  });

  it('drops any HMAC-SHA256 hex digest', () => {
    expect(withoutSignatures(`auth app-key:${SIGNATURE} refused`)).toBe(
      'auth app-key:[signature] refused',
    );
  });

  it('leaves reasons without signatures alone', () => {
    expect(withoutSignatures('Existing subscription to channel a')).toBe(
      'Existing subscription to channel a',
    );
  });
});
