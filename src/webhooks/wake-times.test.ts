import { describe, expect, it } from 'vitest';
import { WakeTimes } from './wake-times.ts';

describe('WakeTimes', () => {
  it('gives the earliest time first, whatever the order they came in', () => {
    const wakes = new WakeTimes();
    for (const at of [3000, 1000, 2000, 1000]) wakes.add(at);
    expect(wakes.first()).toBe(1000);
    wakes.dropUntil(1000);
    expect(wakes.first()).toBe(2000);
    wakes.dropUntil(5000);
    expect(wakes.first()).toBeUndefined();
  });

  it('rounds times up to 10 ms, so close times count once', () => {
    const wakes = new WakeTimes();
    wakes.add(1001);
    wakes.add(1009);
    expect(wakes.first()).toBe(1010);
    wakes.dropUntil(1010);
    expect(wakes.first()).toBeUndefined();
  });
});
