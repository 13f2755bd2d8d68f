import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrafficSummary, logTraffic } from './traffic-summary.ts';

describe('TrafficSummary', () => {
  it('gives no line for an interval with nothing in it', () => {
    expect(new TrafficSummary().take(0, 60)).toBeUndefined();
  });

  it('gives no line when connected clients only keep their connections alive', () => {
    const summary = new TrafficSummary();
    Object.assign(summary.counts, { framesIn: 4, keepAliveIn: 4, framesOut: 4, keepAliveOut: 4 });
    expect(summary.take(2, 60)).toBeUndefined();
  });

  it('reports connections, messages per second each way, API calls and errors', () => {
    const summary = new TrafficSummary();
    Object.assign(summary.counts, {
      opened: 3,
      closed: 1,
      framesIn: 32,
      keepAliveIn: 2,
      framesOut: 601,
      keepAliveOut: 1,
      apiRequests: 7,
      errors: 2,
    });
    expect(summary.take(12, 60)).toEqual({
      connections: 12,
      opened: 3,
      closed: 1,
      messagesInPerSecond: 0.5,
      messagesOutPerSecond: 10,
      apiRequests: 7,
      errors: 2,
      text: 'traffic: 12 connections (+3 -1), 0.5 msg/s in, 10 msg/s out, 7 API calls, 2 errors in 60 s',
    });
  });

  it('starts each interval from zero', () => {
    const summary = new TrafficSummary();
    summary.counts.apiRequests = 1;
    expect(summary.take(0, 1)).toBeDefined();
    expect(summary.take(0, 1)).toBeUndefined();
  });
});

describe('logTraffic', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes one info line per interval with traffic, and none for idle intervals', () => {
    vi.useFakeTimers();
    const lines: Array<{ fields: object; text: string }> = [];
    const summary = new TrafficSummary();
    const stop = logTraffic(summary, {
      seconds: 60,
      connections: () => 2,
      logger: { info: (fields: object, text: string) => void lines.push({ fields, text }) },
    });
    summary.counts.opened = 2;
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({ connections: 2, opened: 2 });
    expect(lines[0]?.text).toMatch(/^traffic: 2 connections \(\+2 -0\)/);
    // Only keep-alive for three intervals: nothing written.
    summary.counts.framesIn = summary.counts.keepAliveIn = 6;
    vi.advanceTimersByTime(180_000);
    expect(lines).toHaveLength(1);
    summary.counts.apiRequests = 1;
    stop();
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(1);
  });

  it('is off with 0 seconds', () => {
    vi.useFakeTimers();
    const info = vi.fn();
    const summary = new TrafficSummary();
    logTraffic(summary, { seconds: 0, connections: () => 0, logger: { info } });
    summary.counts.opened = 1;
    vi.advanceTimersByTime(600_000);
    expect(info).not.toHaveBeenCalled();
  });
});
