import { describe, expect, it } from 'vitest';
import { ConsoleHub } from '../console/hub.ts';
import { consoleFeed } from './console-feed.ts';

/** An open response; `state.backlog` is what its client has not taken yet. */
function fakeStream() {
  const state = { backlog: 0, chunks: [] as string[] };
  const out = {
    write: (chunk: string) => void state.chunks.push(chunk),
    backlog: () => state.backlog,
  };
  return { state, out };
}

const occupied = { name: 'channel_occupied' as const, appId: 'a', channel: 'c' };

describe('consoleFeed', () => {
  it('answers with an event stream that is never cached', () => {
    const response = consoleFeed(new ConsoleHub(), 'a');
    expect(response.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  it("sends each of the app's entries as one data line", () => {
    const hub = new ConsoleHub();
    const { state, out } = fakeStream();
    consoleFeed(hub, 'a').stream?.(out);
    hub.publish(occupied);
    expect(state.chunks.at(-1)).toMatch(
      /^data: \{"at":"[^"]+","name":"channel_occupied","channel":"c"\}\n\n$/,
    );
  });

  it('drops entries while the client is behind, then says how many', () => {
    const hub = new ConsoleHub();
    const { state, out } = fakeStream();
    consoleFeed(hub, 'a').stream?.(out);
    const before = state.chunks.length;
    state.backlog = 2 * 1024 * 1024;
    hub.publish(occupied);
    hub.publish(occupied);
    expect(state.chunks).toHaveLength(before);
    state.backlog = 0;
    hub.publish(occupied);
    expect(state.chunks.slice(before)).toEqual([
      'data: {"name":"dropped","count":2}\n\n',
      expect.stringMatching(/^data: .*channel_occupied/),
    ]);
  });

  it('stops watching when the client goes away', () => {
    const hub = new ConsoleHub();
    const stop = consoleFeed(hub, 'a').stream?.(fakeStream().out);
    stop?.();
    expect(hub.watching('a')).toBe(false);
  });
});
