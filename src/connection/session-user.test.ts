import { describe, expect, it } from 'vitest';
import {
  createHub,
  expectAlive,
  isSubscribed,
  lastError,
  type TestConnection,
} from '../../test/helpers/session-harness.ts';
import { sdk } from '../../test/helpers/sdk.ts';
import { loadVectors } from '../../test/helpers/vectors.ts';
import { signAuth, userStringToSign } from '../auth/signatures.ts';
import { channelEvent } from '../protocol/frames.ts';

describe('Session sign-in', () => {
  it('answers a valid signin with signin_success echoing user_data exactly', async () => {
    const c = createHub().connect();
    const userData = '{"id":"42",  "user_info": {"name":"Bob"}}';
    const auth = signAuth('app-key', 'app-secret', userStringToSign(c.socketId, userData));
    c.take();
    await c.send({ event: 'pusher:signin', data: { auth, user_data: userData } });
    expect(c.take()).toEqual([{ event: 'pusher:signin_success', data: { user_data: userData } }]);
    expect(c.session.userId).toBe('42');
  });

  it('accepts the signin frames of the SDK vectors whose ids use channel-name characters', async () => {
    for (const { input, expected } of loadVectors().user_authentication) {
      const id = input.user_data_object.id as string;
      if (!/^[A-Za-z0-9_\-=@,.;]+$/.test(id)) continue;
      const c = createHub().connect(input.socket_id);
      await c.send(expected.signin_frame);
      expect(c.transport.framesNamed('pusher:signin_success')).toHaveLength(1);
    }
  });

  it.each([
    ['signed with the wrong secret', 'wrong-secret', '{"id":"42"}'],
    ['whose id is a number', 'app-secret', '{"id":42}'],
    ['whose id is empty', 'app-secret', '{"id":""}'],
    ['without id', 'app-secret', '{"user_info":{}}'],
    ['whose user_data is not JSON', 'app-secret', 'id=42'],
  ])(
    'answers a signin %s with error 4009 and stays open ([U] §16.2)',
    async (_w, secret, userData) => {
      const c = createHub().connect();
      const auth = signAuth('app-key', secret, userStringToSign(c.socketId, userData));
      await c.send({ event: 'pusher:signin', data: { auth, user_data: userData } });
      expect(lastError(c)).toEqual({ code: 4009, message: expect.any(String) });
      expect(c.transport.framesNamed('pusher:signin_success')).toEqual([]);
      expect(c.session.userId).toBeUndefined();
      await expectAlive(c);
    },
  );

  it('answers a signin signed for another socket_id with error 4009', async () => {
    const c = createHub().connect('1.1');
    const { auth, user_data } = sdk.authenticateUser('2.2', { id: '42' });
    await c.send({ event: 'pusher:signin', data: { auth, user_data } });
    expect(lastError(c)?.code).toBe(4009);
    await expectAlive(c);
  });

  it('answers a signin when user authentication is disabled with error 4009', async () => {
    const c = createHub({ app: { enableUserAuthentication: false } }).connect();
    await c.signIn({ id: '42' });
    expect(lastError(c)).toEqual({ code: 4009, message: expect.stringMatching(/not enabled/) });
  });

  it('refuses signing in as another id on a signed-in connection', async () => {
    const c = createHub().connect();
    await c.signIn({ id: 'alice' });
    await c.signIn({ id: 'mallory' });
    expect(lastError(c)?.code).toBe(4009);
    expect(c.session.userId).toBe('alice');
  });

  it('accepts signing in again as the same id ([U] §8.1)', async () => {
    const c = createHub().connect();
    await c.signIn({ id: 'alice' });
    await c.signIn({ id: 'alice' });
    expect(c.errors()).toEqual([]);
    expect(c.transport.framesNamed('pusher:signin_success')).toHaveLength(2);
  });
});

describe('Session server-to-user channel', () => {
  it('lets a socket signed in as 42 subscribe to #server-to-user-42', async () => {
    const c = createHub().connect();
    await c.signIn({ id: '42' });
    await c.subscribe('#server-to-user-42');
    expect(isSubscribed(c, '#server-to-user-42')).toBe(true);
  });

  it('refuses #server-to-user-42 to a socket that is not signed in', async () => {
    const c = createHub().connect();
    await c.subscribe('#server-to-user-42');
    expect(lastError(c)).toEqual({ code: null, message: expect.stringMatching(/reserved/) });
    expect(isSubscribed(c, '#server-to-user-42')).toBe(false);
  });

  it('refuses #server-to-user-42 to a socket signed in as another user', async () => {
    const c = createHub().connect();
    await c.signIn({ id: '7' });
    await c.subscribe('#server-to-user-42');
    expect(isSubscribed(c, '#server-to-user-42')).toBe(false);
  });

  it('delivers a server-to-user event to every connection of that user only', async () => {
    const hub = createHub();
    const [u1, u2, other] = [hub.connect(), hub.connect(), hub.connect()];
    for (const c of [u1, u2]) {
      await c.signIn({ id: '42' });
      await c.subscribe('#server-to-user-42');
    }
    await other.signIn({ id: '7' });
    await other.subscribe('#server-to-user-7');
    for (const c of [u1, u2, other]) c.take();
    hub.adapter.publish('1', '#server-to-user-42', channelEvent('note', '#server-to-user-42', '1'));
    expect(u1.take()).toHaveLength(1);
    expect(u2.take()).toHaveLength(1);
    expect(other.take()).toEqual([]);
  });

  it('raises no occupied/vacated events for server-to-user channels', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.signIn({ id: '42' });
    await c.subscribe('#server-to-user-42');
    await c.close();
    expect(hub.events.filter((e) => e.name.startsWith('channel_'))).toEqual([]);
  });
});

describe('Session watchlist', () => {
  const watchlistFrames = (c: TestConnection) =>
    c
      .take()
      .filter((f) => f.event === 'pusher_internal:watchlist_events')
      .map((f) => f.data);

  it('sends the current status of the watchlist after sign-in', async () => {
    const hub = createHub();
    await hub.connect().signIn({ id: 'alice' });
    const watcher = hub.connect();
    await watcher.signIn({ id: 'w', watchlist: ['alice', 'carol'] });
    expect(watchlistFrames(watcher)).toEqual([
      {
        events: [
          { name: 'online', user_ids: ['alice'] },
          { name: 'offline', user_ids: ['carol'] },
        ],
      },
    ]);
  });

  it('announces online when a watched user signs in on a first connection only', async () => {
    const hub = createHub();
    const watcher = hub.connect();
    await watcher.signIn({ id: 'w', watchlist: ['alice'] });
    watcher.take();
    await hub.connect().signIn({ id: 'alice' });
    expect(watchlistFrames(watcher)).toEqual([
      { events: [{ name: 'online', user_ids: ['alice'] }] },
    ]);
    await hub.connect().signIn({ id: 'alice' });
    expect(watchlistFrames(watcher)).toEqual([]);
  });

  it('announces offline only when the last connection of a watched user closes', async () => {
    const hub = createHub();
    const watcher = hub.connect();
    await watcher.signIn({ id: 'w', watchlist: ['alice'] });
    const [a1, a2] = [hub.connect(), hub.connect()];
    await a1.signIn({ id: 'alice' });
    await a2.signIn({ id: 'alice' });
    watcher.take();
    await a1.close();
    expect(watchlistFrames(watcher)).toEqual([]);
    await a2.close();
    expect(watchlistFrames(watcher)).toEqual([
      { events: [{ name: 'offline', user_ids: ['alice'] }] },
    ]);
  });

  it('stops announcing to a watcher that has closed', async () => {
    const hub = createHub();
    const watcher = hub.connect();
    await watcher.signIn({ id: 'w', watchlist: ['alice'] });
    await watcher.close();
    watcher.take();
    await hub.connect().signIn({ id: 'alice' });
    expect(watcher.take()).toEqual([]);
  });

  it('keeps the first 100 ids of a longer watchlist and sends error 4302', async () => {
    const hub = createHub();
    const c = hub.connect();
    const ids = Array.from({ length: 101 }, (_, i) => `u${i}`);
    await c.signIn({ id: 'w', watchlist: ids });
    expect(c.transport.framesNamed('pusher:signin_success')).toHaveLength(1);
    expect(lastError(c)?.code).toBe(4302);
    const [frame] = c.transport.framesNamed('pusher_internal:watchlist_events');
    const events = (frame?.data as { events: { user_ids: string[] }[] }).events;
    expect(events.flatMap((e) => e.user_ids)).toEqual(ids.slice(0, 100));
    expect(c.transport.closedWith).toBeUndefined();
  });
});
