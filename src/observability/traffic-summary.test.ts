import { describe, expect, it } from 'vitest';
import { TrafficSummary } from './traffic-summary.ts';

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
