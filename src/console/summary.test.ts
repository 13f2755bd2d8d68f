import { describe, expect, it } from 'vitest';
import { LocalAdapter } from '../adapter/local.ts';
import { OutboundFrame } from '../protocol/frames.ts';
import {
  MAX_ROSTER_IDS,
  SHARED_SUMMARY_MS,
  consoleSummary,
  sharedSummary,
  summaryTicker,
  type ConsoleSummary,
} from './summary.ts';

const subscriber = (socketId: string) => ({
  socketId,
  deliver: (_frame: OutboundFrame) => undefined,
  disconnect: () => undefined,
});
const empty: ConsoleSummary = { name: 'summary', connections: 0, channelCount: 0, channels: [] };
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('consoleSummary', () => {
  it('lists the busiest channels first, with presence member ids, and no internal channel', async () => {
    const adapter = new LocalAdapter();
    adapter.countConnection('a', 1);
    await adapter.join('a', 'quiet', subscriber('1.1'));
    await adapter.join('a', 'busy', subscriber('1.1'));
    await adapter.join('a', 'busy', subscriber('2.2'));
    await adapter.join('a', '#server-to-user-ada', subscriber('1.1'));
    for (let i = 0; i < MAX_ROSTER_IDS + 1; i++) {
      const member = { userId: `u${String(i).padStart(3, '0')}`, userInfo: undefined };
      await adapter.join('a', 'presence-crowd', subscriber(`3.${i}`), member);
    }
    const summary = await consoleSummary(adapter, 'a');
    expect(summary).toMatchObject({ connections: 1, channelCount: 3 });
    expect(summary.channels.map((c) => c.channel)).toEqual(['presence-crowd', 'busy', 'quiet']);
    expect(summary.channels[0]?.members).toHaveLength(MAX_ROSTER_IDS);
    expect(summary.channels[0]?.userCount).toBe(MAX_ROSTER_IDS + 1);
  });
});

describe('sharedSummary', () => {
  it('asks the adapter once per app per second, however many feeds ask', async () => {
    const adapter = new LocalAdapter();
    let asked = 0;
    const channels = adapter.channels.bind(adapter);
    adapter.channels = (appId) => {
      asked++;
      return channels(appId);
    };
    let now = 0;
    const summarize = sharedSummary(adapter, () => now);
    await Promise.all([summarize('a'), summarize('a'), summarize('b')]);
    expect(asked).toBe(2);
    expect(sharedSummary(adapter)).toBe(summarize);
    now += SHARED_SUMMARY_MS;
    await summarize('a');
    expect(asked).toBe(3);
  });
});

describe('summaryTicker', () => {
  it('sends a summary only when it changed', async () => {
    const sent: string[] = [];
    let connections = 0;
    const ticker = summaryTicker(
      async () => ({ ...empty, connections }),
      (line) => sent.push(line),
    );
    ticker.tick();
    await settle();
    ticker.tick();
    await settle();
    connections = 1;
    ticker.tick();
    await settle();
    expect(sent.map((line) => (JSON.parse(line) as ConsoleSummary).connections)).toEqual([0, 1]);
  });

  it('asks one query at a time, and sends nothing once stopped', async () => {
    let asked = 0;
    let answer: (summary: ConsoleSummary) => void = () => undefined;
    const sent: string[] = [];
    const ticker = summaryTicker(
      () => {
        asked++;
        return new Promise((resolve) => (answer = resolve));
      },
      (line) => sent.push(line),
    );
    ticker.tick();
    ticker.tick();
    expect(asked).toBe(1);
    ticker.stop();
    answer(empty);
    await settle();
    expect(sent).toEqual([]);
  });
});
