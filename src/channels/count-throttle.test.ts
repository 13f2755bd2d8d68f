import { describe, expect, it } from 'vitest';
import { SubscriptionCountThrottle } from './count-throttle.ts';

describe('SubscriptionCountThrottle', () => {
  it('allows every change up to 100 subscribers', () => {
    const throttle = new SubscriptionCountThrottle();
    expect([99, 100, 99].map((n, i) => throttle.allow('a', 'c', n, i))).toEqual([true, true, true]);
  });

  it('allows one announcement per 5 s above 100 subscribers', () => {
    const throttle = new SubscriptionCountThrottle();
    expect(throttle.allow('a', 'c', 101, 0)).toBe(true);
    expect(throttle.allow('a', 'c', 102, 4_999)).toBe(false);
    expect(throttle.allow('a', 'c', 103, 5_000)).toBe(true);
  });

  it('throttles channels separately', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'one', 200, 0);
    expect(throttle.allow('a', 'two', 200, 1)).toBe(true);
    expect(throttle.allow('b', 'one', 200, 1)).toBe(true);
  });
});
