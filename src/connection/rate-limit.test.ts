import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.ts';

const takeMany = (bucket: TokenBucket, count: number, now: number) =>
  Array.from({ length: count }, () => bucket.take(now)).filter(Boolean).length;

describe('TokenBucket', () => {
  it('allows the limit at once and refuses the next', () => {
    const bucket = new TokenBucket(10);
    expect(takeMany(bucket, 11, 0)).toBe(10);
  });

  it('refills at the limit per second', () => {
    const bucket = new TokenBucket(10);
    takeMany(bucket, 10, 0);
    expect(takeMany(bucket, 10, 500)).toBe(5);
  });

  it('never lets twice the limit through across a second boundary', () => {
    const bucket = new TokenBucket(10);
    const accepted = takeMany(bucket, 10, 999) + takeMany(bucket, 10, 1000);
    expect(accepted).toBe(10);
  });

  it('does not save up more than the limit while idle', () => {
    const bucket = new TokenBucket(10);
    expect(takeMany(bucket, 30, 60_000)).toBe(10);
  });
});
