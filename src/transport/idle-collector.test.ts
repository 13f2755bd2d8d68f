import { describe, expect, it } from 'vitest';
import { IdleCollector, type HeapControl } from './idle-collector.ts';

const MB = 2 ** 20;

/** A heap whose young generation starts at 16 MB, has grown to 32 MB, and records each call. */
function fakeHeap(shrinkAfterYoungPasses = Infinity) {
  const calls: string[] = [];
  let young = 16 * MB;
  let youngPasses = 0;
  const heap: HeapControl = {
    collectFull: () => calls.push('full'),
    collectYoung: () => {
      calls.push('young');
      if (++youngPasses >= shrinkAfterYoungPasses) young = 1 * MB;
    },
    youngGenerationBytes: () => young,
  };
  const collector = new IdleCollector(heap);
  young = 32 * MB;
  return { calls, collector };
}

/** Sweeps with a steady count and no traffic. */
function quietSweeps(collector: IdleCollector, connections: number, sweeps: number) {
  for (let i = 0; i < sweeps; i++) collector.observe(connections, 0);
}

describe('IdleCollector', () => {
  it('collects fully twice, a sweep apart, once a storm of 1,000 connections has been quiet for 3 sweeps', () => {
    const { calls, collector } = fakeHeap(1);
    collector.observe(1000, 1000);
    quietSweeps(collector, 1000, 2);
    expect(calls).toEqual([]);
    quietSweeps(collector, 1000, 1);
    expect(calls).toEqual(['full']);
    quietSweeps(collector, 1000, 1);
    expect(calls).toEqual(['full', 'full']);
  });

  it('counts a storm that came and went as a change', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(19_000, 0);
    quietSweeps(collector, 0, 4);
    expect(calls).toEqual(['full']);
  });

  it('leaves a change of fewer than 1,000 connections alone', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(999, 0);
    quietSweeps(collector, 999, 20);
    expect(calls).toEqual([]);
  });

  it('waits while the server sends more than 1,000 frames a sweep', () => {
    const { calls, collector } = fakeHeap();
    for (let i = 0; i < 10; i++) collector.observe(5000, 50_000);
    expect(calls).toEqual([]);
    quietSweeps(collector, 5000, 3);
    expect(calls).toEqual(['full']);
  });

  it('runs young collections after the full ones until the young generation is back to its size at startup', () => {
    const { calls, collector } = fakeHeap(3);
    collector.observe(2000, 0);
    quietSweeps(collector, 2000, 20);
    expect(calls).toEqual(['full', 'full', 'young', 'young', 'young']);
  });

  it('gives up on the young generation after 10 young collections', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(2000, 0);
    quietSweeps(collector, 2000, 40);
    expect(calls.filter((call) => call === 'young')).toHaveLength(10);
    expect(calls.filter((call) => call === 'full')).toHaveLength(2);
  });

  it('stops a reduction when traffic resumes', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(2000, 0);
    quietSweeps(collector, 2000, 3);
    collector.observe(2000, 5000);
    quietSweeps(collector, 2000, 2);
    expect(calls).toEqual(['full']);
  });

  it('runs again only after another change of 1,000 connections', () => {
    const { calls, collector } = fakeHeap(1);
    collector.observe(2000, 0);
    quietSweeps(collector, 2000, 10);
    const afterFirst = calls.length;
    quietSweeps(collector, 2500, 10);
    expect(calls).toHaveLength(afterFirst);
    quietSweeps(collector, 1000, 4);
    expect(calls.length).toBeGreaterThan(afterFirst);
  });

  it('drives the real V8 heap without throwing', () => {
    const collector = new IdleCollector();
    collector.observe(1000, 0);
    expect(() => quietSweeps(collector, 1000, 4)).not.toThrow();
  });
});
