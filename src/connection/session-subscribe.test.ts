import { describe, expect, it } from 'vitest';
import { SubscriptionCountThrottle } from '../channels/count-throttle.ts';
import {
  createHub,
  parsedData,
  expectAlive,
  isSubscribed,
  lastError,
  type TestConnection,
} from '../../test/helpers/session-harness.ts';
import { sdk, wrongSecretSdk } from '../../test/helpers/sdk.ts';
import { loadVectors } from '../../test/helpers/vectors.ts';
import { signAuth } from '../auth/signatures.ts';
import { channelEvent } from '../protocol/frames.ts';

describe('Session subscribe', () => {
  it('confirms a public channel with subscription_succeeded data "{}" ([U] §16.1)', async () => {
    const c = createHub().connect();
    c.take();
    await c.subscribe('news');
    expect(c.take()).toEqual([
      { event: 'pusher_internal:subscription_succeeded', channel: 'news', data: '{}' },
    ]);
  });

  it('accepts subscribe data sent as a JSON string (older clients, §1.5)', async () => {
    const c = createHub().connect();
    await c.send({ event: 'pusher:subscribe', data: JSON.stringify({ channel: 'news' }) });
    expect(isSubscribed(c, 'news')).toBe(true);
  });

  it('confirms a private channel signed by the SDK', async () => {
    const c = createHub().connect();
    await c.subscribeSigned('private-chat');
    expect(isSubscribed(c, 'private-chat')).toBe(true);
  });

  it('confirms an encrypted channel signed by the SDK', async () => {
    const c = createHub().connect();
    await c.subscribeSigned('private-encrypted-dm');
    expect(isSubscribed(c, 'private-encrypted-dm')).toBe(true);
  });

  it('confirms a presence channel with the roster including the new member', async () => {
    const hub = createHub();
    const a = hub.connect();
    await a.subscribeSigned('presence-room', { user_id: 'alice', user_info: { name: 'A' } });
    const b = hub.connect();
    b.take();
    await b.subscribeSigned('presence-room', { user_id: 'bob' });
    const [frame] = b.take();
    expect(frame).toMatchObject({
      event: 'pusher_internal:subscription_succeeded',
      channel: 'presence-room',
    });
    expect(parsedData(frame)).toEqual({
      presence: { ids: ['alice', 'bob'], hash: { alice: { name: 'A' }, bob: null }, count: 2 },
    });
  });

  it('stringifies a numeric presence user_id ([U] §16.7)', async () => {
    const hub = createHub();
    const c = hub.connect();
    const channelData = JSON.stringify({ user_id: 42 });
    const auth = signAuth('app-key', 'app-secret', `${c.socketId}:presence-room:${channelData}`);
    await c.subscribe('presence-room', { auth, channel_data: channelData });
    expect(await hub.adapter.members('1', 'presence-room')).toEqual(['42']);
  });

  describe('with the SDK vectors', () => {
    const vectors = loadVectors();
    const cases = [
      ...vectors.private_channel_auth,
      ...vectors.presence_channel_auth,
      ...vectors.encrypted_channel_auth,
    ];
    for (const { input, expected } of cases) {
      it(`accepts the subscribe frame pusher-js sends for ${input.channel_name.slice(0, 40)}`, async () => {
        const c = createHub({ limits: { maxChannelNameLength: 200 } }).connect(input.socket_id);
        await c.send(expected.subscribe_frame);
        expect(c.errors()).toEqual([]);
        expect(isSubscribed(c, input.channel_name)).toBe(true);
      });
    }
  });

  it('sends cache_miss right after success on an empty cache channel', async () => {
    const hub = createHub();
    const c = hub.connect();
    c.take();
    await c.subscribe('cache-scores');
    expect(c.take()).toEqual([
      { event: 'pusher_internal:subscription_succeeded', channel: 'cache-scores', data: '{}' },
      { event: 'pusher:cache_miss', channel: 'cache-scores' },
    ]);
    expect(hub.events).toContainEqual({
      name: 'cache_miss',
      appId: '1',
      channel: 'cache-scores',
    });
  });

  it('replays the cached event right after success on a cache channel', async () => {
    const hub = createHub();
    hub.adapter.setCache('1', 'cache-scores', 'score', '{"home":1}', 60);
    const c = hub.connect();
    c.take();
    await c.subscribe('cache-scores');
    expect(c.take()).toEqual([
      { event: 'pusher_internal:subscription_succeeded', channel: 'cache-scores', data: '{}' },
      { event: 'score', channel: 'cache-scores', data: '{"home":1}' },
    ]);
  });

  it('replays the cached event on a private cache channel', async () => {
    const hub = createHub();
    hub.adapter.setCache('1', 'private-cache-prices', 'price', '7', 60);
    const c = hub.connect();
    await c.subscribeSigned('private-cache-prices');
    expect(c.transport.frames.at(-1)).toEqual({
      event: 'price',
      channel: 'private-cache-prices',
      data: '7',
    });
  });

  it('sends cache_miss once the cached event has expired', async () => {
    const hub = createHub();
    hub.adapter.setCache('1', 'cache-scores', 'score', '1', 60);
    hub.clock.advanceSeconds(61);
    const c = hub.connect();
    await c.subscribe('cache-scores');
    expect(c.transport.frames.at(-1)).toEqual({
      event: 'pusher:cache_miss',
      channel: 'cache-scores',
    });
  });

  it('raises channel_occupied for the first subscriber only', async () => {
    const hub = createHub();
    await hub.connect().subscribe('news');
    await hub.connect().subscribe('news');
    expect(hub.events.filter((e) => e.name === 'channel_occupied')).toEqual([
      { name: 'channel_occupied', appId: '1', channel: 'news' },
    ]);
  });

  it('refuses a second subscribe to the same channel and keeps the first', async () => {
    const c = createHub().connect();
    await c.subscribe('news');
    c.take();
    await c.subscribe('news');
    expect(c.take()).toEqual([
      {
        event: 'pusher:error',
        data: { code: null, message: 'Existing subscription to channel news' },
      },
    ]);
    await expectAlive(c);
  });

  it.each([
    ['a space', 'bad name'],
    ['a slash', 'a/b'],
    ['a #', 'a#b'],
    ['165 characters', 'a'.repeat(165)],
    ['an empty name', ''],
  ])('refuses a channel name with %s ([U] code null, §16.4)', async (_what, channel) => {
    const c = createHub().connect();
    await c.subscribe(channel);
    expect(lastError(c)).toEqual({
      code: null,
      message: expect.stringContaining('Invalid channel name'),
    });
    expect(c.transport.framesNamed('pusher_internal:subscription_succeeded')).toEqual([]);
    await expectAlive(c);
  });

  it.each([
    ['no data', { event: 'pusher:subscribe' }],
    ['data as a number', { event: 'pusher:subscribe', data: 5 }],
    ['data without channel', { event: 'pusher:subscribe', data: { auth: '' } }],
    ['a numeric channel', { event: 'pusher:subscribe', data: { channel: 5 } }],
  ])('answers a subscribe with %s with pusher:error code null', async (_what, frame) => {
    const c = createHub().connect();
    await c.send(frame);
    expect(lastError(c)?.code).toBeNull();
    await expectAlive(c);
  });
});

describe('Session subscription count', () => {
  const counts = (c: TestConnection) =>
    c
      .take()
      .filter((f) => f.event === 'pusher_internal:subscription_count')
      .map((f) => parsedData<{ subscription_count: number }>(f).subscription_count);

  it('sends nothing when the app has not enabled subscription counts', async () => {
    const c = createHub().connect();
    await c.subscribe('news');
    expect(c.transport.framesNamed('pusher_internal:subscription_count')).toEqual([]);
  });

  it('broadcasts the new count on every subscribe and unsubscribe when enabled', async () => {
    const hub = createHub({ app: { enableSubscriptionCount: true } });
    const a = hub.connect();
    await a.subscribe('news');
    expect(counts(a)).toEqual([1]);
    const b = hub.connect();
    await b.subscribe('news');
    expect(counts(a)).toEqual([2]);
    await b.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    expect(counts(a)).toEqual([1]);
  });

  it('announces at most once per 5 s on a channel of more than 100 subscribers', async () => {
    const hub = createHub({
      app: { enableSubscriptionCount: true },
      countThrottle: new SubscriptionCountThrottle(),
    });
    const watcher = hub.connect();
    await watcher.subscribe('crowd');
    for (let i = 0; i < 101; i++) await hub.connect().subscribe('crowd');
    counts(watcher);
    await hub.connect().subscribe('crowd');
    expect(counts(watcher)).toEqual([]);
    hub.clock.advance(5_000);
    await hub.connect().subscribe('crowd');
    expect(counts(watcher)).toEqual([104]);
  });

  it('never counts presence channels', async () => {
    const c = createHub({ app: { enableSubscriptionCount: true } }).connect();
    await c.subscribeSigned('presence-room', { user_id: 'a' });
    expect(counts(c)).toEqual([]);
  });
});

describe('Session subscribe with a bad signature', () => {
  const refuses = async (
    c: TestConnection,
    channel: string,
    extra: { auth?: string; channel_data?: string },
  ) => {
    await c.subscribe(channel, extra);
    expect(lastError(c)).toEqual({ code: null, message: expect.any(String) });
    expect(isSubscribed(c, channel)).toBe(false);
    await expectAlive(c);
  };

  it('refuses a private channel signed with the wrong secret and stays open', async () => {
    const c = createHub().connect();
    await refuses(c, 'private-chat', wrongSecretSdk.authorizeChannel(c.socketId, 'private-chat'));
    expect(lastError(c)?.message).toContain(`HMAC SHA256 hex digest of ${c.socketId}:private-chat`);
  });

  it('refuses a private channel signed for another socket_id', async () => {
    const c = createHub().connect('1.1');
    await refuses(c, 'private-chat', sdk.authorizeChannel('2.2', 'private-chat'));
  });

  it('refuses a private channel signed for another channel', async () => {
    const c = createHub().connect();
    await refuses(c, 'private-chat', sdk.authorizeChannel(c.socketId, 'private-other'));
  });

  it('refuses a private channel without auth', async () => {
    const c = createHub().connect();
    await refuses(c, 'private-chat', {});
  });

  it('refuses an auth whose key is another app key', async () => {
    const c = createHub().connect();
    const { auth } = sdk.authorizeChannel(c.socketId, 'private-chat');
    await refuses(c, 'private-chat', { auth: auth.replace('app-key:', 'other-key:') });
  });

  it('refuses an encrypted channel signed with the wrong secret', async () => {
    const c = createHub().connect();
    const { auth } = wrongSecretSdk.authorizeChannel(c.socketId, 'private-encrypted-dm');
    await refuses(c, 'private-encrypted-dm', { auth });
  });

  it('refuses a presence channel whose channel_data was changed after signing', async () => {
    const c = createHub().connect();
    const signed = sdk.authorizeChannel(c.socketId, 'presence-room', { user_id: 'alice' });
    await refuses(c, 'presence-room', {
      auth: signed.auth,
      channel_data: JSON.stringify({ user_id: 'admin' }),
    });
  });

  it('refuses a presence channel whose channel_data was re-serialised', async () => {
    const c = createHub().connect();
    const signed = sdk.authorizeChannel(c.socketId, 'presence-room', { user_id: 'alice' });
    await refuses(c, 'presence-room', {
      auth: signed.auth,
      channel_data: JSON.stringify(JSON.parse(signed.channel_data ?? ''), null, 2),
    });
  });

  it('refuses a presence channel signed with the wrong secret', async () => {
    const c = createHub().connect();
    const signed = wrongSecretSdk.authorizeChannel(c.socketId, 'presence-room', { user_id: 'a' });
    await refuses(c, 'presence-room', signed);
  });

  it('refuses a presence channel without channel_data when not signed in', async () => {
    const c = createHub().connect();
    await refuses(c, 'presence-room', sdk.authorizeChannel(c.socketId, 'presence-room'));
  });

  it('refuses a signed presence channel_data that is not a JSON object', async () => {
    const c = createHub().connect();
    const channelData = '["alice"]';
    const auth = signAuth('app-key', 'app-secret', `${c.socketId}:presence-room:${channelData}`);
    await refuses(c, 'presence-room', { auth, channel_data: channelData });
  });

  it('refuses a signed presence channel_data without user_id', async () => {
    const c = createHub().connect();
    const channelData = '{"user_info":{}}';
    const auth = signAuth('app-key', 'app-secret', `${c.socketId}:presence-room:${channelData}`);
    await refuses(c, 'presence-room', { auth, channel_data: channelData });
  });

  it('can subscribe with a good signature after a refused one', async () => {
    const c = createHub().connect();
    await c.subscribe('private-chat', wrongSecretSdk.authorizeChannel(c.socketId, 'private-chat'));
    await c.subscribeSigned('private-chat');
    expect(isSubscribed(c, 'private-chat')).toBe(true);
  });
});

describe('Session unsubscribe', () => {
  it('stops delivering a channel after unsubscribe, without a reply', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.subscribe('news');
    c.take();
    await c.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    expect(c.take()).toEqual([]);
    hub.adapter.publish('1', 'news', channelEvent('update', 'news', '{}'));
    expect(c.take()).toEqual([]);
  });

  it('raises channel_vacated when the last subscriber unsubscribes', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.subscribe('news');
    await c.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    expect(hub.events).toContainEqual({
      name: 'channel_vacated',
      appId: '1',
      channel: 'news',
    });
  });

  it('answers an unsubscribe from a channel not subscribed with pusher:error code null', async () => {
    const c = createHub().connect();
    await c.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    expect(lastError(c)).toEqual({
      code: null,
      message: 'No current subscription to channel news, or subscription in progress',
    });
    await expectAlive(c);
  });

  it('answers an unsubscribe without channel with pusher:error code null', async () => {
    const c = createHub().connect();
    await c.send({ event: 'pusher:unsubscribe', data: {} });
    expect(lastError(c)?.code).toBeNull();
  });

  it('subscribes afresh after an unsubscribe', async () => {
    const c = createHub().connect();
    await c.subscribeSigned('private-chat');
    await c.send({ event: 'pusher:unsubscribe', data: { channel: 'private-chat' } });
    c.take();
    await c.subscribeSigned('private-chat');
    expect(c.take().map((f) => f.event)).toEqual(['pusher_internal:subscription_succeeded']);
  });

  it('undoes a join that completes after an unsubscribe sent while it was pending', async () => {
    const hub = createHub();
    const c = hub.connect();
    c.session.receive(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'news' } }));
    c.session.receive(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel: 'news' } }));
    await c.send({ event: 'pusher:ping' });
    expect(await hub.adapter.channel('1', 'news')).toBeUndefined();
  });
});
