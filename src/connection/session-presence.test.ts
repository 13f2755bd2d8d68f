import { describe, expect, it } from 'vitest';
import {
  createHub,
  parsedData,
  expectAlive,
  isSubscribed,
  lastError,
} from '../../test/helpers/session-harness.ts';

describe('Session presence limits', () => {
  it('refuses a new user when the channel has maxPresenceMembers users ([U] §16.4)', async () => {
    const hub = createHub({ app: { maxPresenceMembers: 2 } });
    await hub.connect().subscribeSigned('presence-room', { user_id: 'a' });
    await hub.connect().subscribeSigned('presence-room', { user_id: 'b' });
    const c = hub.connect();
    await c.subscribeSigned('presence-room', { user_id: 'c' });
    expect(lastError(c)).toEqual({ code: null, message: expect.stringContaining('is full') });
    expect(isSubscribed(c, 'presence-room')).toBe(false);
    await expectAlive(c);
  });

  it('admits another connection of a present user when the channel is full', async () => {
    const hub = createHub({ app: { maxPresenceMembers: 1 } });
    await hub.connect().subscribeSigned('presence-room', { user_id: 'a' });
    const c = hub.connect();
    await c.subscribeSigned('presence-room', { user_id: 'a' });
    expect(isSubscribed(c, 'presence-room')).toBe(true);
  });

  it('can retry a subscribe refused as full once a member left', async () => {
    const hub = createHub({ app: { maxPresenceMembers: 1 } });
    const a = hub.connect();
    await a.subscribeSigned('presence-room', { user_id: 'a' });
    const c = hub.connect();
    await c.subscribeSigned('presence-room', { user_id: 'c' });
    await a.close();
    await c.subscribeSigned('presence-room', { user_id: 'c' });
    expect(isSubscribed(c, 'presence-room')).toBe(true);
  });

  it('refuses user_info larger than maxPresenceUserInfoBytes', async () => {
    const c = createHub({ app: { maxPresenceUserInfoBytes: 100 } }).connect();
    // {"n":"…"} is 8 bytes of JSON around the string.
    await c.subscribeSigned('presence-room', { user_id: 'a', user_info: { n: 'x'.repeat(93) } });
    expect(lastError(c)).toEqual({
      code: null,
      message: 'Presence user_info is larger than 100 bytes',
    });
    await expectAlive(c);
  });

  it('accepts user_info of exactly maxPresenceUserInfoBytes', async () => {
    const c = createHub({ app: { maxPresenceUserInfoBytes: 100 } }).connect();
    await c.subscribeSigned('presence-room', { user_id: 'a', user_info: { n: 'x'.repeat(92) } });
    expect(isSubscribed(c, 'presence-room')).toBe(true);
  });

  it('measures user_info in UTF-8 bytes, not characters ([U] §5.2)', async () => {
    const c = createHub({ app: { maxPresenceUserInfoBytes: 100 } }).connect();
    await c.subscribeSigned('presence-room', { user_id: 'a', user_info: { n: 'ü'.repeat(47) } });
    expect(lastError(c)?.message).toBe('Presence user_info is larger than 100 bytes');
  });

  it('refuses a presence user_id longer than 128 characters', async () => {
    const c = createHub().connect();
    await c.subscribeSigned('presence-room', { user_id: 'u'.repeat(129) });
    expect(lastError(c)?.message).toMatch(/longer than 128/);
  });
});

describe('Session presence members', () => {
  it('announces member_added to the others, not to the subscriber itself', async () => {
    const hub = createHub();
    const a = hub.connect();
    await a.subscribeSigned('presence-room', { user_id: 'alice' });
    a.take();
    const b = hub.connect();
    await b.subscribeSigned('presence-room', { user_id: 'bob', user_info: { name: 'B' } });
    const added = a.take();
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      event: 'pusher_internal:member_added',
      channel: 'presence-room',
    });
    expect(parsedData(added[0])).toEqual({ user_id: 'bob', user_info: { name: 'B' } });
    expect(b.transport.framesNamed('pusher_internal:member_added')).toEqual([]);
    expect(hub.events).toContainEqual({
      name: 'member_added',
      appId: '1',
      channel: 'presence-room',
      userId: 'bob',
    });
  });

  it("announces nothing when a user's second connection joins", async () => {
    const hub = createHub();
    const observer = hub.connect();
    await observer.subscribeSigned('presence-room', { user_id: 'observer' });
    await hub.connect().subscribeSigned('presence-room', { user_id: 'alice' });
    observer.take();
    await hub.connect().subscribeSigned('presence-room', { user_id: 'alice' });
    expect(observer.take()).toEqual([]);
    expect(hub.events.filter((e) => e.name === 'member_added')).toHaveLength(2);
  });

  it("announces member_removed only after the user's last connection leaves", async () => {
    const hub = createHub();
    const observer = hub.connect();
    await observer.subscribeSigned('presence-room', { user_id: 'observer' });
    const a1 = hub.connect();
    const a2 = hub.connect();
    await a1.subscribeSigned('presence-room', { user_id: 'alice' });
    await a2.subscribeSigned('presence-room', { user_id: 'alice' });
    observer.take();
    await a1.close();
    expect(observer.take()).toEqual([]);
    await a2.close();
    const removed = observer.take();
    expect(removed).toEqual([
      {
        event: 'pusher_internal:member_removed',
        channel: 'presence-room',
        data: '{"user_id":"alice"}',
      },
    ]);
  });

  it('announces member_removed when the last connection unsubscribes', async () => {
    const hub = createHub();
    const observer = hub.connect();
    await observer.subscribeSigned('presence-room', { user_id: 'observer' });
    const a = hub.connect();
    await a.subscribeSigned('presence-room', { user_id: 'alice' });
    observer.take();
    await a.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-room' } });
    expect(observer.take().map((f) => f.event)).toEqual(['pusher_internal:member_removed']);
  });

  it('takes the member from the signed-in user when channel_data is omitted (§5.5)', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.signIn({ id: 'alice', user_info: { name: 'A' } });
    // [U] socket_id:channel is signed when channel_data is omitted (§16.12).
    await c.subscribeSigned('presence-room');
    const frame = c.transport.framesNamed('pusher_internal:subscription_succeeded')[0];
    expect(parsedData(frame)).toEqual({
      presence: { ids: ['alice'], hash: { alice: { name: 'A' } }, count: 1 },
    });
  });
});
