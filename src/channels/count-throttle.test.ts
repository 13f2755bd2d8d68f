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

  it('holds back a change inside the interval and hands it out once the interval has passed', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'c', 101, 0);
    throttle.allow('a', 'c', 102, 1_000);
    expect(throttle.due(4_999)).toEqual([]);
    expect(throttle.due(5_000)).toEqual([{ appId: 'a', channel: 'c' }]);
    expect(throttle.due(20_000)).toEqual([]);
  });

  it('counts a handed-out change as announced, starting a new interval', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'c', 101, 0);
    throttle.allow('a', 'c', 102, 1_000);
    throttle.due(5_000);
    expect(throttle.allow('a', 'c', 103, 6_000)).toBe(false);
  });

  it('hands nothing out when the last change was announced', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'c', 101, 0);
    throttle.allow('a', 'c', 102, 1_000);
    throttle.allow('a', 'c', 103, 5_000);
    expect(throttle.due(10_000)).toEqual([]);
  });

  it('forgets a held change once the channel falls to 100 subscribers or fewer', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'c', 101, 0);
    throttle.allow('a', 'c', 102, 1_000);
    throttle.allow('a', 'c', 100, 2_000);
    expect(throttle.due(10_000)).toEqual([]);
  });

  it('forgets a channel nobody announced for an interval', () => {
    const throttle = new SubscriptionCountThrottle();
    throttle.allow('a', 'c', 101, 0);
    throttle.due(4_999);
    expect(throttle.trackedChannels).toBe(1);
    throttle.due(5_000);
    expect(throttle.trackedChannels).toBe(0);
  });

  describe('shared (one announcer per channel, elected cluster-wide)', () => {
    const shared = () => new SubscriptionCountThrottle(100, 5_000, true);

    it('holds every change above 100 and hands it out at the next poll, to be claimed', () => {
      const throttle = shared();
      expect(throttle.allow('a', 'c', 100, 0)).toBe(true);
      expect(throttle.allow('a', 'c', 101, 0)).toBe(false);
      expect(throttle.due(1)).toEqual([{ appId: 'a', channel: 'c' }]);
      expect(throttle.due(2)).toEqual([]);
    });

    it('tries a claim another node holds again once it expires, with any newer change', () => {
      const throttle = shared();
      throttle.allow('a', 'c', 101, 0);
      throttle.due(0);
      throttle.retryAt('a', 'c', 4_000);
      throttle.allow('a', 'c', 102, 1_000);
      expect(throttle.due(3_999)).toEqual([]);
      expect(throttle.due(4_000)).toEqual([{ appId: 'a', channel: 'c' }]);
    });

    it('forgets a held change once the channel falls to 100 subscribers or fewer', () => {
      const throttle = shared();
      throttle.allow('a', 'c', 101, 0);
      throttle.retryAt('a', 'c', 4_000);
      throttle.allow('a', 'c', 100, 1_000);
      expect(throttle.due(10_000)).toEqual([]);
    });
  });
});
