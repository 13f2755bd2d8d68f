import { describe, expect, it } from 'vitest';
import type { ResponseStream } from '../../http/types.ts';
import { OutboundFrame } from '../../protocol/frames.ts';
import {
  ABSENCE_MS,
  HEARTBEAT_MS,
  HttpTransport,
  STREAM_ROLLOVER_CHARS,
  type FallbackContext,
} from './http-transport.ts';

/** A response as the listener hands it over, recording what is written. */
class FakeResponse implements ResponseStream {
  text = '';
  ended = false;
  write(chunk: string): void {
    this.text += chunk;
  }
  end(): void {
    this.ended = true;
  }
  backlog(): number {
    return 0;
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

function harness(options: { streaming: boolean; maxBufferedBytes?: number; hostname?: string }) {
  let now = 0;
  const events: string[] = [];
  const pending: HttpTransport[] = [];
  const context: FallbackContext = {
    maxBufferedBytes: options.maxBufferedBytes ?? 1_000_000,
    publicHostname: options.hostname ?? null,
    clock: { now: () => now },
    schedule: (transport) => pending.push(transport),
    onFramesSent: () => undefined,
    onSlowConsumer: () => events.push('slow'),
    ended: () => events.push('ended'),
    finished: () => events.push('finished'),
  };
  const transport = new HttpTransport(options.streaming, context);
  return {
    transport,
    events,
    /** The end of the event-loop turn: every scheduled flush runs. */
    endTurn: () => pending.splice(0).forEach((t) => t.flush()),
    advance: (ms: number, stalled = false) => {
      now += ms;
      transport.sweep(stalled);
    },
  };
}

const frame = (event: string) => new OutboundFrame(JSON.stringify({ event, data: '{}' }));

describe('HttpTransport, streaming', () => {
  it('opens with o, then writes what was queued before the stream came, in one a frame', () => {
    const { transport, endTurn } = harness({ streaming: true, hostname: 'node-a' });
    transport.send(frame('one'));
    transport.send(frame('two'));
    const response = new FakeResponse();
    transport.attach(response);
    endTurn();
    expect(response.lines).toEqual([
      'o{"hostname":"node-a"}',
      'a["{\\"event\\":\\"one\\",\\"data\\":\\"{}\\"}","{\\"event\\":\\"two\\",\\"data\\":\\"{}\\"}"]',
    ]);
    expect(response.ended).toBe(false);
  });

  it('writes nothing past the rollover, and gives what waited to the next stream, without o', () => {
    const { transport, endTurn, events } = harness({ streaming: true });
    const first = new FakeResponse();
    transport.attach(first);
    const big = new OutboundFrame(
      JSON.stringify({ event: 'big', data: 'x'.repeat(STREAM_ROLLOVER_CHARS) }),
    );
    transport.send(big);
    endTurn();
    transport.send(frame('after'));
    endTurn();
    expect(first.text).not.toContain('after');
    expect(transport.rolledOver).toBe(true);
    // pusher-js drops the old stream and opens the next one on the same session.
    transport.detach(first);
    expect(events).toEqual([]);
    const second = new FakeResponse();
    transport.attach(second);
    expect(second.lines).toEqual(['a["{\\"event\\":\\"after\\",\\"data\\":\\"{}\\"}"]']);
  });

  it('ends a session whose client keeps a stream past the rollover instead of replacing it', () => {
    const { transport, endTurn, events, advance } = harness({ streaming: true });
    const response = new FakeResponse();
    transport.attach(response);
    transport.send(new OutboundFrame('x'.repeat(STREAM_ROLLOVER_CHARS)));
    endTurn();
    advance(ABSENCE_MS - 1);
    expect(events).toEqual([]);
    advance(1);
    expect(response.ended).toBe(true);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('ends the session at once when the client drops its stream', () => {
    const { transport, events } = harness({ streaming: true });
    const response = new FakeResponse();
    transport.attach(response);
    transport.detach(response);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('writes h to a quiet stream every 25 s', () => {
    const { transport, advance } = harness({ streaming: true });
    const response = new FakeResponse();
    transport.attach(response);
    advance(HEARTBEAT_MS - 1);
    expect(response.lines).toEqual(['o']);
    advance(1);
    expect(response.lines).toEqual(['o', 'h']);
  });

  it('closes with the c frame behind the messages still queued, then ends the response', () => {
    const { transport, endTurn, events } = harness({ streaming: true });
    const response = new FakeResponse();
    transport.attach(response);
    transport.send(frame('last'));
    transport.close(4200, 'Server is restarting');
    transport.send(frame('dropped'));
    expect(events).toEqual(['ended']);
    endTurn();
    expect(response.lines.slice(1)).toEqual([
      'a["{\\"event\\":\\"last\\",\\"data\\":\\"{}\\"}"]',
      'c[4200,"Server is restarting"]',
    ]);
    expect(response.ended).toBe(true);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('delivers a close not yet flushed when the endpoint shuts down', () => {
    const { transport, events } = harness({ streaming: true });
    const response = new FakeResponse();
    transport.attach(response);
    transport.close(4200, 'Server is restarting');
    transport.shutdown();
    expect(response.lines).toEqual(['o', 'c[4200,"Server is restarting"]']);
    expect(response.ended).toBe(true);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('tells a slow consumer 4100 and closes, dropping what it did not read', () => {
    const { transport, endTurn, events } = harness({ streaming: true, maxBufferedBytes: 100 });
    for (let i = 0; i < 5; i++) transport.send(frame(`e${i}`));
    expect(events).toEqual(['slow', 'ended']);
    const response = new FakeResponse();
    transport.attach(response);
    endTurn();
    expect(response.lines[1]).toContain('4100');
    expect(response.lines[1]).not.toContain('e0');
    expect(response.lines[2]).toBe('c[4100,"Slow consumer"]');
  });
});

describe('HttpTransport, polling', () => {
  it('answers each poll with what is queued and ends it; the next poll gets no o', () => {
    const { transport, endTurn } = harness({ streaming: false });
    transport.send(frame('established'));
    const first = new FakeResponse();
    transport.attach(first);
    expect(first.lines).toHaveLength(2);
    expect(first.ended).toBe(true);
    const second = new FakeResponse();
    transport.attach(second);
    expect(second.text).toBe('');
    transport.send(frame('later'));
    endTurn();
    expect(second.lines).toEqual(['a["{\\"event\\":\\"later\\",\\"data\\":\\"{}\\"}"]']);
    expect(second.ended).toBe(true);
  });

  it('answers a poll held 25 s with h', () => {
    const { transport, advance } = harness({ streaming: false });
    transport.attach(new FakeResponse());
    const held = new FakeResponse();
    transport.attach(held);
    advance(HEARTBEAT_MS);
    expect(held.text).toBe('h\n');
    expect(held.ended).toBe(true);
  });

  it('ends the session when the client has not polled for 3 s', () => {
    const { transport, advance, events } = harness({ streaming: false });
    transport.send(frame('established'));
    transport.attach(new FakeResponse());
    advance(ABSENCE_MS - 1);
    expect(events).toEqual([]);
    advance(1);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('counts the absence afresh after the server itself stalled', () => {
    const { transport, advance, events } = harness({ streaming: false });
    transport.send(frame('established'));
    transport.attach(new FakeResponse());
    // A 5 s pause: the client's next poll may be waiting, unread, behind the sweep.
    advance(5_000, true);
    expect(events).toEqual([]);
    advance(ABSENCE_MS);
    expect(events).toEqual(['ended', 'finished']);
  });

  it('ends the session at once when the client drops a held poll', () => {
    const { transport, events } = harness({ streaming: false });
    transport.attach(new FakeResponse());
    const held = new FakeResponse();
    transport.attach(held);
    transport.detach(held);
    expect(events).toEqual(['ended', 'finished']);
  });
});
