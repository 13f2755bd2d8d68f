import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as frames from './frames.ts';

/** The frame relayed for `text`, decoded and checked as the session does. */
function relay(text: string, userId?: string): string | undefined {
  const decoded = frames.decodeClientFrame(text);
  if (!decoded.ok) throw new Error(decoded.problem);
  const channel = decoded.value.channel ?? '';
  return frames.relayedClientEvent(text, decoded.value, channel, userId)?.text;
}

/** The text a parser keeping the first of repeated member names reads. */
function firstWins(text: string): Record<string, unknown> {
  const seen: Record<string, unknown> = {};
  const body = JSON.parse(text) as Record<string, unknown>;
  // Top-level members in order of appearance, scanned from the text (flat test frames only).
  for (const match of text.matchAll(/"(event|channel|data)":("(?:[^"\\]|\\.)*"|[^,}]+)/g)) {
    if (!(match[1]! in seen)) seen[match[1]!] = JSON.parse(match[2]!);
  }
  return { ...body, ...seen };
}

describe('relayedClientEvent', () => {
  it("relays pusher-js's frame (event, data, channel) as it came", () => {
    const text = '{"event":"client-typing","data":{"who":"ann"},"channel":"private-chat"}';
    expect(relay(text)).toBe(text);
  });

  it('relays the other order (event, channel, data) as it came', () => {
    const text = '{"event":"client-typing","channel":"private-chat","data":"hi"}';
    expect(relay(text)).toBe(text);
  });

  it("appends a presence member's user_id", () => {
    const text = '{"event":"client-typing","data":{},"channel":"presence-room"}';
    expect(JSON.parse(relay(text, 'u"1')!)).toEqual({
      event: 'client-typing',
      data: {},
      channel: 'presence-room',
      user_id: 'u"1',
    });
  });

  it('builds anew (undefined) any frame with another member, spacing or escapes', () => {
    for (const text of [
      '{"event":"client-a","data":1,"channel":"private-c","user_id":"admin"}',
      '{"event":"client-a","channel":"private-c"}',
      '{"event":"client-a", "data":1,"channel":"private-c"}',
      '{"event":"client-a","data":1,"channel":"private-c"} ',
      '{"event":"client-\\u0061","data":1,"channel":"private-c"}',
      '{"event":"client-\\"","data":1,"channel":"private-c"}',
      '{"channel":"private-c","event":"client-a","data":1}',
      '{"event":"client-a","data":1,"channel":"private-\\u0063"}',
    ]) {
      expect(relay(text), text).toBeUndefined();
    }
  });

  it('builds anew a frame with a repeated name, however it is spelled', () => {
    // JSON.parse reads private-c; a parser keeping the first of repeated names, private-x.
    const twice = '{"event":"client-a","data":1,"channel":"private-x","channel":"private-c"}';
    expect(firstWins(twice).channel).toBe('private-x');
    for (const text of [
      twice,
      '{"event":"client-a","data":1,"chann\\u0065l":"private-x","channel":"private-c"}',
      '{"event":"client-a","channel":"private-c","data":"benign","data":"evil"}',
      '{"event":"client-a","channel":"private-c","data":1,"channel":"private-c"}',
      '{"event":"client-a","channel":"private-c","data":1,"event":"client-a"}',
      '{"event":"pusher:x","channel":"private-c","data":1,"event":"client-a"}',
      '{"event":"client-a","data":{"a":1},"d\\u0061ta":2,"channel":"private-c"}',
    ]) {
      expect(relay(text), text).toBeUndefined();
    }
  });

  it('relays data whose own strings and brackets hold commas, names and quotes', () => {
    for (const text of [
      '{"event":"client-a","data":{"a":[1,2],"b":"x,y"},"channel":"private-c"}',
      '{"event":"client-a","data":{"channel":"private-x","event":"e"},"channel":"private-c"}',
      '{"event":"client-a","channel":"private-c","data":"q\\",\\"channel\\":\\"x"}',
      '{"event":"client-a","channel":"private-c","data":[[],{},"]}",1e20]}',
    ]) {
      expect(relay(text), text).toBe(text);
    }
  });

  it('relays only texts that read as the frame channelEvent builds', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_\-=@,.;]{1,40}$/);
    fc.assert(
      fc.property(
        name,
        fc.string({ maxLength: 30 }),
        fc.jsonValue(),
        fc.boolean(),
        fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
        (channel, suffix, data, pusherJsOrder, userId) => {
          const event = `client-${suffix}`;
          const text = JSON.stringify(
            pusherJsOrder ? { event, data, channel } : { event, channel, data },
          );
          const decoded = frames.decodeClientFrame(text);
          if (!decoded.ok) return;
          const relayed = frames.relayedClientEvent(text, decoded.value, channel, userId);
          const built = frames.channelEvent(event, channel, decoded.value.data, userId);
          // Undefined only where the event name needs escaping, or pusher-js's order has data
          // that mentions "channel".
          if (relayed === undefined) {
            const escaped = JSON.stringify(event) !== `"${event}"`;
            expect(
              escaped ||
                (pusherJsOrder && text.indexOf('"channel"') < text.lastIndexOf('"channel"')),
            ).toBe(true);
          } else expect(JSON.parse(relayed.text)).toEqual(JSON.parse(built.text));
        },
      ),
    );
  });
});
