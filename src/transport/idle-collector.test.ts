import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
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
  it('collects fully once a rise of 1,000 connections has been quiet for 3 sweeps', () => {
    const { calls, collector } = fakeHeap(1);
    collector.observe(1000, 1000);
    quietSweeps(collector, 1000, 2);
    expect(calls).toEqual([]);
    quietSweeps(collector, 1000, 1);
    expect(calls).toEqual(['full']);
  });

  it('collects fully a second time, a sweep later, after connections were dropped', () => {
    const { calls, collector } = fakeHeap(1);
    collector.observe(19_000, 0);
    quietSweeps(collector, 0, 6);
    expect(calls).toEqual(['full', 'full', 'young']);
  });

  it('leaves a change of fewer than 1,000 connections alone', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(999, 0);
    quietSweeps(collector, 999, 20);
    expect(calls).toEqual([]);
  });

  it('counts a count that moves by at most 1% a sweep as steady', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(19_000, 0);
    for (let i = 0; i < 3; i++) collector.observe(i % 2 ? 19_000 : 18_900, 0);
    expect(calls).toEqual(['full']);
  });

  it('waits while the server sends or receives more than 1,000 frames a sweep', () => {
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
    expect(calls).toEqual(['full', 'young', 'young', 'young']);
  });

  it('gives up on the young generation after 10 young collections', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(2000, 0);
    quietSweeps(collector, 2000, 40);
    expect(calls.filter((call) => call === 'young')).toHaveLength(10);
    expect(calls.filter((call) => call === 'full')).toHaveLength(1);
  });

  it('keeps the second full collection owed through traffic, and drops the young ones', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(5000, 0);
    quietSweeps(collector, 0, 4);
    expect(calls).toEqual(['full']);
    for (let i = 0; i < 5; i++) collector.observe(0, 50_000);
    quietSweeps(collector, 0, 1);
    expect(calls).toEqual(['full', 'full']);
    collector.observe(0, 50_000);
    quietSweeps(collector, 0, 20);
    expect(calls).toEqual(['full', 'full']);
  });

  it('collects fully at most twice per storm, however often traffic interrupts', () => {
    const { calls, collector } = fakeHeap();
    collector.observe(5000, 0);
    for (let round = 0; round < 20; round++) {
      quietSweeps(collector, 0, 4);
      collector.observe(0, 50_000);
    }
    expect(calls.filter((call) => call === 'full')).toHaveLength(2);
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

  it('drives the real V8 heap without throwing, and leaves no gc global behind', () => {
    const collector = new IdleCollector();
    collector.observe(1000, 0);
    expect(() => quietSweeps(collector, 1000, 4)).not.toThrow();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
