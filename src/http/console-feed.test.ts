import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appSchema, type AppConfig } from '../config/schema.ts';
import { ConsoleHub } from '../console/hub.ts';
import { consoleFeed } from './console-feed.ts';

const APP = appSchema.parse({ id: 'a', key: 'k', secret: 's' });
const occupied = { name: 'channel_occupied' as const, appId: 'a', channel: 'c' };

/** An open response; `state.backlog` is what its client has not taken yet. */
function fakeStream() {
  const state = { backlog: 0, ended: false, chunks: [] as string[] };
  const out = {
    // Like a real response: a write after the end is an error (ERR_STREAM_WRITE_AFTER_END).
    write: (chunk: string) => {
      if (state.ended) throw new Error('write after end');
      state.chunks.push(chunk);
    },
    end: () => void (state.ended = true),
    backlog: () => state.backlog,
  };
  return { state, out };
}

/** A feed of app `a` whose store answers `current` (the app unchanged by default). */
function openFeed(hub: ConsoleHub, current: () => AppConfig | undefined = () => APP) {
  const { state, out } = fakeStream();
  const stop = consoleFeed(hub, APP, current).stream?.(out);
  return { state, stop };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('consoleFeed', () => {
  it('answers with an event stream that is never cached', () => {
    expect(consoleFeed(new ConsoleHub(), APP, () => APP).headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  it("sends each of the app's entries as one data line", () => {
    const hub = new ConsoleHub();
    const { state } = openFeed(hub);
    hub.publish(occupied);
    expect(state.chunks.at(-1)).toMatch(
      /^data: \{"at":"[^"]+","name":"channel_occupied","channel":"c"\}\n\n$/,
    );
  });

  it('drops entries while the client is behind, and says how many within a second of it catching up', () => {
    const hub = new ConsoleHub();
    const { state } = openFeed(hub);
    const before = state.chunks.length;
    state.backlog = 2 * 1024 * 1024;
    hub.publish(occupied);
    hub.publish(occupied);
    vi.advanceTimersByTime(1000);
    expect(state.chunks).toHaveLength(before);
    state.backlog = 0;
    vi.advanceTimersByTime(1000);
    expect(state.chunks.slice(before)).toEqual(['data: {"name":"dropped","count":2}\n\n']);
  });

  it.each([
    ['removed', () => undefined],
    ['disabled', () => ({ ...APP, enabled: false })],
    ['given a new secret', () => ({ ...APP, secret: 'rotated' })],
    ['given a new key', () => ({ ...APP, key: 'other' })],
  ])('ends the stream within a second once its app is %s', (_, current) => {
    const { state } = openFeed(new ConsoleHub(), current);
    vi.advanceTimersByTime(1000);
    expect(state.ended).toBe(true);
  });

  it('writes nothing once it has ended, though its slow client has not taken the last bytes', () => {
    const hub = new ConsoleHub();
    let app: AppConfig | undefined = APP;
    const { state } = openFeed(hub, () => app);
    state.backlog = 1;
    app = { ...APP, secret: 'rotated' };
    vi.advanceTimersByTime(1000);
    expect(state.ended).toBe(true);
    expect(() => hub.publish(occupied)).not.toThrow();
    expect(() => vi.advanceTimersByTime(30_000)).not.toThrow();
    expect(hub.watching('a')).toBe(false);
  });

  it('keeps the stream when another setting of the app changes', () => {
    const { state } = openFeed(new ConsoleHub(), () => ({ ...APP, maxConnections: 5 }));
    vi.advanceTimersByTime(30_000);
    expect(state.ended).toBe(false);
    expect(state.chunks.filter((chunk) => chunk === ': keep-alive\n\n')).toHaveLength(2);
  });

  it('stops watching when the client goes away', () => {
    const hub = new ConsoleHub();
    openFeed(hub).stop?.();
    expect(hub.watching('a')).toBe(false);
  });
});
