import { describe, expect, it } from 'vitest';
import { createHub, expectAlive, lastError } from '../../test/helpers/session-harness.ts';

describe('Session client events', () => {
  async function pair(channel: string, options: Parameters<typeof createHub>[0] = {}) {
    const hub = createHub(options);
    const presence = channel.startsWith('presence-');
    const a = hub.connect();
    const b = hub.connect();
    await a.subscribeSigned(channel, presence ? { user_id: 'alice' } : undefined);
    await b.subscribeSigned(channel, presence ? { user_id: 'bob' } : undefined);
    a.take();
    b.take();
    return { hub, a, b };
  }

  it('delivers a client event to the other subscribers and does not echo it', async () => {
    const { a, b } = await pair('private-chat');
    await a.send({ event: 'client-typing', channel: 'private-chat', data: { who: 'a' } });
    expect(b.take()).toEqual([
      { event: 'client-typing', channel: 'private-chat', data: { who: 'a' } },
    ]);
    expect(a.take()).toEqual([]);
  });

  it('forwards string data unchanged', async () => {
    const { a, b } = await pair('private-chat');
    await a.send({ event: 'client-x', channel: 'private-chat', data: '{"raw": 1}' });
    expect(b.take()).toEqual([{ event: 'client-x', channel: 'private-chat', data: '{"raw": 1}' }]);
  });

  it("adds the sender's user_id on a presence channel", async () => {
    const { a, b } = await pair('presence-room');
    await a.send({ event: 'client-wave', channel: 'presence-room', data: {} });
    expect(b.take()).toEqual([
      { event: 'client-wave', channel: 'presence-room', data: {}, user_id: 'alice' },
    ]);
  });

  it("relays pusher-js's frame (event, data, channel) to the others as it came", async () => {
    const { a, b } = await pair('private-chat');
    const text = '{"event":"client-typing","data":{"who":"a"},"channel":"private-chat"}';
    await a.send(text);
    expect(b.transport.texts.at(-1)).toBe(text);
  });

  it('never relays a member the client added: a user_id of its own is dropped', async () => {
    const { a, b } = await pair('private-chat');
    await a.send('{"event":"client-x","data":{},"channel":"private-chat","user_id":"admin"}');
    expect(b.take()).toEqual([{ event: 'client-x', channel: 'private-chat', data: {} }]);
    const room = await pair('presence-room');
    await room.a.send('{"event":"client-x","data":{},"channel":"presence-room","user_id":"bob"}');
    expect(room.b.take()).toEqual([
      { event: 'client-x', channel: 'presence-room', data: {}, user_id: 'alice' },
    ]);
  });

  it('raises a client_event channel event', async () => {
    const { hub, a } = await pair('presence-room');
    await a.send({ event: 'client-wave', channel: 'presence-room', data: { x: 1 } });
    expect(hub.events).toContainEqual({
      name: 'client_event',
      appId: '1',
      channel: 'presence-room',
      event: 'client-wave',
      data: { x: 1 },
      socketId: a.socketId,
      userId: 'alice',
    });
  });

  it('delivers client events on private-cache- channels', async () => {
    const { a, b } = await pair('private-cache-x');
    await a.send({ event: 'client-x', channel: 'private-cache-x', data: {} });
    expect(b.take().map((f) => f.event)).toEqual(['client-x']);
  });

  it.each([
    ['a public channel', 'news'],
    ['a cache- channel', 'cache-news'],
    ['an encrypted channel ([U] §16.10)', 'private-encrypted-dm'],
  ])('refuses a client event on %s', async (_what, channel) => {
    const { a, b } = await pair(channel);
    await a.send({ event: 'client-x', channel, data: {} });
    expect(lastError(a)).toEqual({
      code: null,
      message: expect.stringContaining('only supported on private and presence channels'),
    });
    expect(b.take()).toEqual([]);
    await expectAlive(a);
  });

  it('refuses a client event on a channel the socket is not subscribed to', async () => {
    const { hub, b } = await pair('private-chat');
    const outsider = hub.connect();
    await outsider.send({ event: 'client-x', channel: 'private-chat', data: {} });
    expect(lastError(outsider)).toEqual({
      code: null,
      message: 'Cannot broadcast client event (connection not subscribed to channel private-chat)',
    });
    expect(b.take()).toEqual([]);
    await expectAlive(outsider);
  });

  it('refuses a client event without a channel', async () => {
    const { a } = await pair('private-chat');
    await a.send({ event: 'client-x', data: {} });
    expect(lastError(a)?.code).toBeNull();
  });

  it('refuses client events when the app disables them', async () => {
    const { a, b } = await pair('private-chat', { app: { enableClientEvents: false } });
    await a.send({ event: 'client-x', channel: 'private-chat', data: {} });
    expect(lastError(a)?.message).toMatch(/not enabled/);
    expect(b.take()).toEqual([]);
  });

  it('refuses a client event name longer than maxEventNameLength', async () => {
    const { a, b } = await pair('private-chat');
    await a.send({ event: `client-${'x'.repeat(200)}`, channel: 'private-chat', data: {} });
    expect(lastError(a)?.message).toMatch(/longer than 200/);
    expect(b.take()).toEqual([]);
  });

  it('refuses client event data larger than maxEventPayloadBytes and stays open', async () => {
    const { a, b } = await pair('private-chat', { app: { maxEventPayloadBytes: 100 } });
    await a.send({ event: 'client-x', channel: 'private-chat', data: 'x'.repeat(101) });
    expect(lastError(a)).toEqual({
      code: null,
      message: 'Client event data is larger than 100 bytes',
    });
    expect(b.take()).toEqual([]);
    await expectAlive(a);
  });

  it('accepts client event data of exactly maxEventPayloadBytes', async () => {
    const { a, b } = await pair('private-chat', { app: { maxEventPayloadBytes: 100 } });
    await a.send({ event: 'client-x', channel: 'private-chat', data: 'x'.repeat(100) });
    expect(b.take()).toHaveLength(1);
  });

  it('answers the 11th client event within a second with error 4301 and stays open', async () => {
    const { a, b } = await pair('private-chat');
    for (let i = 0; i < 11; i++) {
      await a.send({ event: 'client-x', channel: 'private-chat', data: { i } });
    }
    expect(b.take()).toHaveLength(10);
    expect(a.errors()).toEqual([
      { code: 4301, message: 'Client event rejected due to rate limit' },
    ]);
    expect(a.transport.closedWith).toBeUndefined();
    await expectAlive(a);
  });

  it('accepts client events again in the next second after the rate limit', async () => {
    const { hub, a, b } = await pair('private-chat');
    for (let i = 0; i < 11; i++)
      await a.send({ event: 'client-x', channel: 'private-chat', data: i });
    b.take();
    hub.clock.advance(1000);
    await a.send({ event: 'client-x', channel: 'private-chat', data: 'again' });
    expect(b.take()).toEqual([{ event: 'client-x', channel: 'private-chat', data: 'again' }]);
  });

  it('answers oversized events past the rate limit with 4301, not with a size check', async () => {
    const { a } = await pair('private-chat', { app: { maxEventPayloadBytes: 100 } });
    for (let i = 0; i < 12; i++) {
      await a.send({ event: 'client-x', channel: 'private-chat', data: 'x'.repeat(101) });
    }
    expect(a.errors().map((e) => e.code)).toEqual([...Array<null>(10).fill(null), 4301, 4301]);
  });

  it('refuses data nested 6,000 deep with a clear error, no internal error', async () => {
    const { hub, a, b } = await pair('private-chat');
    const data = `${'['.repeat(6000)}${']'.repeat(6000)}`;
    await a.send(`{"event":"client-x","channel":"private-chat","data":${data}}`);
    expect(a.errors()).toEqual([
      { code: null, message: 'frame is nested more than 64 levels deep' },
    ]);
    expect(hub.internalErrors).toEqual([]);
    expect(b.take()).toEqual([]);
    await expectAlive(a);
  });
});
