import { describe, expect, it } from 'vitest';
import { keySlot } from './epochs.ts';

describe('keySlot', () => {
  it('is the slot Redis gives (CLUSTER KEYSLOT), hash tags included', () => {
    // Each value as `redis-cli cluster keyslot` answered it (Redis 7.0).
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('nodes')).toBe(9928);
    expect(keySlot('p:{nodes}')).toBe(9928);
    expect(keySlot('x:{1:presence-room}')).toBe(11549);
    expect(keySlot('héllo')).toBe(11061);
    expect(keySlot('epoch-0')).toBe(1321);
    expect(keySlot('')).toBe(0);
  });

  it('hashes the whole key when its braces hold nothing', () => {
    expect(keySlot('{}')).toBe(15257);
    expect(keySlot('a{}b')).toBe(13694);
  });
});
