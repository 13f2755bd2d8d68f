import { describe, expect, it } from 'vitest';
import { LocalAdapter } from '../adapter/local.ts';
import { AdapterUnavailableError } from '../errors.ts';
import {
  createHub,
  expectAlive,
  isSubscribed,
  lastError,
  type TestConnection,
} from '../../test/helpers/session-harness.ts';
import { sdk } from '../../test/helpers/sdk.ts';
import { settle } from '../../test/helpers/wait.ts';
import { channelEvent, PING } from '../protocol/frames.ts';

describe('Session connection', () => {
  it('sends connection_established first, with socket_id and activity_timeout as a JSON string', () => {
    const c = createHub({ limits: { activityTimeoutSeconds: 30 } }).connect('12.34');
    expect(c.transport.texts).toEqual([
      JSON.stringify({
        event: 'pusher:connection_established',
        data: JSON.stringify({ socket_id: '12.34', activity_timeout: 30 }),
      }),
    ]);
  });

  it('answers pusher:ping with pusher:pong', async () => {
    const c = createHub().connect();
    c.take();
    await c.send({ event: 'pusher:ping', data: {} });
    expect(c.take()).toEqual([{ event: 'pusher:pong', data: '{}' }]);
  });

  it('sends nothing back for pusher:pong', async () => {
    const c = createHub().connect();
    c.take();
    await c.send({ event: 'pusher:pong', data: {} });
    expect(c.take()).toEqual([]);
  });

  it('ignores unknown pusher: and pusher_internal: events ([U] §1.5)', async () => {
    const c = createHub().connect();
    c.take();
    await c.send({ event: 'pusher:whatever', data: {} });
    await c.send({ event: 'pusher_internal:subscription_succeeded', data: {} });
    expect(c.take()).toEqual([]);
  });

  it('answers an unknown non-client event with pusher:error code null and stays open', async () => {
    const c = createHub().connect();
    await c.send({ event: 'typing', channel: 'private-a', data: {} });
    expect(lastError(c)).toEqual({
      code: null,
      message: expect.stringContaining('client events must start with client-'),
    });
    await expectAlive(c);
  });

  it.each([
    ['not JSON', 'not json', 'frame is not valid JSON'],
    ['an array', '[1,2]', 'frame must be a JSON object'],
    ['without event', '{"data":{}}', 'frame has no "event" string'],
    ['with a numeric channel', '{"event":"client-a","channel":5}', '"channel" must be a string'],
  ])('answers a frame %s with pusher:error code null and stays open', async (_w, text, message) => {
    const c = createHub().connect();
    await c.send(text);
    expect(lastError(c)).toEqual({ code: null, message });
    await expectAlive(c);
  });

  it('answers a binary frame with pusher:error code null', () => {
    const c = createHub().connect();
    c.session.rejectBinaryFrame();
    expect(lastError(c)).toEqual({ code: null, message: 'Binary frames are not supported' });
    expect(c.session.closed).toBe(false);
  });
});

describe('Session keep-alive', () => {
  const limits = { activityTimeoutSeconds: 120, pongTimeoutSeconds: 30 };

  it('does not ping before activity_timeout has passed', () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    c.take();
    hub.clock.advanceSeconds(119);
    c.session.checkActivity();
    expect(c.take()).toEqual([]);
  });

  it('sends pusher:ping after activity_timeout seconds of silence', () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    c.take();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    expect(c.take()).toEqual([{ event: 'pusher:ping', data: '{}' }]);
  });

  it('sends one ping only while waiting for the answer', () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    c.take();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    hub.clock.advanceSeconds(10);
    c.session.checkActivity();
    expect(c.take()).toEqual([{ event: 'pusher:ping', data: '{}' }]);
  });

  it('closes with 4201 after pong timeout when nothing answers the ping', () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    hub.clock.advanceSeconds(29);
    c.session.checkActivity();
    expect(c.transport.closedWith).toBeUndefined();
    c.take();
    hub.clock.advanceSeconds(1);
    c.session.checkActivity();
    expect(c.take()).toEqual([
      { event: 'pusher:error', data: { code: 4201, message: 'Pong reply not received' } },
    ]);
    expect(c.transport.closedWith).toEqual({ code: 4201, reason: 'Pong reply not received' });
    expect(c.session.closed).toBe(true);
  });

  it('stays open when a pusher:pong answers the ping', async () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    hub.clock.advanceSeconds(5);
    await c.send({ event: 'pusher:pong', data: {} });
    hub.clock.advanceSeconds(60);
    c.session.checkActivity();
    expect(c.transport.closedWith).toBeUndefined();
  });

  it('counts a protocol-level pong (touch) as an answer', () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    c.session.touch();
    hub.clock.advanceSeconds(30);
    c.session.checkActivity();
    expect(c.transport.closedWith).toBeUndefined();
  });

  it('pings again an activity_timeout after the answer', async () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    hub.clock.advanceSeconds(120);
    c.session.checkActivity();
    await c.send({ event: 'pusher:pong', data: {} });
    c.take();
    hub.clock.advanceSeconds(119);
    c.session.checkActivity();
    expect(c.take()).toEqual([]);
    hub.clock.advanceSeconds(1);
    c.session.checkActivity();
    expect(c.take()).toEqual([{ event: 'pusher:ping', data: '{}' }]);
  });

  it('restarts the activity timer on any client frame', async () => {
    const hub = createHub({ limits });
    const c = hub.connect();
    hub.clock.advanceSeconds(100);
    await c.subscribe('news');
    c.take();
    hub.clock.advanceSeconds(100);
    c.session.checkActivity();
    expect(c.take()).toEqual([]);
  });
});

describe('Session subscribe/unsubscribe races', () => {
  const raw = (c: TestConnection, event: string, channel: string) =>
    c.session.receive(JSON.stringify({ event, data: { channel } }));

  it('stays subscribed after subscribe, unsubscribe, subscribe sent before the first join completed', async () => {
    const hub = createHub({ adapter: (now) => new AsyncAdapter({ now }) });
    const c = hub.connect();
    raw(c, 'pusher:subscribe', 'news');
    raw(c, 'pusher:unsubscribe', 'news');
    raw(c, 'pusher:subscribe', 'news');
    await c.send({ event: 'pusher:ping' });
    expect(c.transport.framesNamed('pusher_internal:subscription_succeeded')).toHaveLength(1);
    expect(await hub.adapter.channel('1', 'news')).toEqual({ subscriptionCount: 1 });
    c.take();
    hub.adapter.publish('1', 'news', channelEvent('update', 'news', '1'));
    expect(c.take()).toEqual([{ event: 'update', channel: 'news', data: '1' }]);
  });

  it('answers subscribe, unsubscribe, subscribe in order when the adapter joins at once', async () => {
    const hub = createHub();
    const c = hub.connect();
    raw(c, 'pusher:subscribe', 'news');
    // Answered before the next frame is read, with no turn in between.
    expect(c.transport.framesNamed('pusher_internal:subscription_succeeded')).toHaveLength(1);
    raw(c, 'pusher:unsubscribe', 'news');
    // Queued behind the leave, which is still under way.
    raw(c, 'pusher:subscribe', 'news');
    await c.send({ event: 'pusher:ping' });
    expect(c.transport.framesNamed('pusher_internal:subscription_succeeded')).toHaveLength(2);
    expect(await hub.adapter.channel('1', 'news')).toEqual({ subscriptionCount: 1 });
    expect(c.errors()).toEqual([]);
  });

  it('leaves nothing behind after subscribe, unsubscribe, subscribe, unsubscribe in one burst', async () => {
    const hub = createHub();
    const c = hub.connect();
    for (let i = 0; i < 2; i++) {
      raw(c, 'pusher:subscribe', 'news');
      raw(c, 'pusher:unsubscribe', 'news');
    }
    await c.send({ event: 'pusher:ping' });
    expect(await hub.adapter.channel('1', 'news')).toBeUndefined();
    expect(c.errors()).toEqual([]);
  });

  it('leaves a channel whose join completes after the socket closed', async () => {
    const hub = createHub();
    const c = hub.connect();
    raw(c, 'pusher:subscribe', 'news');
    await c.close();
    expect(await hub.adapter.channel('1', 'news')).toBeUndefined();
  });
});

describe('Session close', () => {
  it('leaves every channel on close and raises channel_vacated', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.subscribe('news');
    await c.subscribeSigned('private-chat');
    await c.close();
    expect(await hub.adapter.channels('1')).toEqual(new Map());
    expect(hub.events.filter((e) => e.name === 'channel_vacated').map((e) => e.channel)).toEqual([
      'news',
      'private-chat',
    ]);
  });

  it('signs the user out on close', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.signIn({ id: 'alice' });
    await c.close();
    expect(await hub.adapter.onlineUsers('1', ['alice'])).toEqual([]);
  });

  it('sends pusher:error with the code before closing on disconnect', () => {
    const c = createHub().connect();
    c.take();
    c.session.disconnect(4200, 'restarting');
    expect(c.take()).toEqual([
      { event: 'pusher:error', data: { code: 4200, message: 'restarting' } },
    ]);
    expect(c.transport.closedWith).toEqual({ code: 4200, reason: 'restarting' });
  });

  it('delivers nothing after close', async () => {
    const c = createHub().connect();
    await c.close();
    c.take();
    c.session.deliver(PING);
    expect(c.take()).toEqual([]);
  });

  it('raises no internal error during a whole session', async () => {
    const hub = createHub();
    const c = hub.connect();
    await c.subscribeSigned('presence-room', { user_id: 'a' });
    await c.signIn({ id: 'a', watchlist: ['b'] });
    await c.close();
    expect(hub.internalErrors).toEqual([]);
  });
});

/** A LocalAdapter that only joins asynchronously, as a cluster adapter does. */
class AsyncAdapter extends LocalAdapter {
  override readonly joinNow = undefined;
}

/** A LocalAdapter whose joins wait until `release()`: an adapter slower than the socket. */
class GatedAdapter extends AsyncAdapter {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  override async join(...args: Parameters<LocalAdapter['join']>) {
    if (this.#gate) await this.#gate;
    return super.join(...args);
  }
}

describe('Session with a slow adapter', () => {
  it('leaves no watchlist membership behind when the socket closes while joins are in flight', async () => {
    let adapter: GatedAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new GatedAdapter({ now })) });
    if (!adapter) throw new Error('no adapter');
    const c = hub.connect();
    adapter.hold();
    await c.signIn({ id: 'w', watchlist: ['alice', 'bob'] });
    await c.close();
    adapter.release();
    for (let i = 0; i < 5; i++) await settle();
    expect([...(await hub.adapter.channels('1')).keys()]).toEqual([]);
  });

  it('leaves no channel behind when the socket closes while a subscribe is in flight', async () => {
    let adapter: GatedAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new GatedAdapter({ now })) });
    if (!adapter) throw new Error('no adapter');
    const c = hub.connect();
    adapter.hold();
    await c.subscribe('news');
    await c.close();
    adapter.release();
    for (let i = 0; i < 5; i++) await settle();
    expect(await hub.adapter.channel('1', 'news')).toBeUndefined();
    expect(hub.events.filter((e) => e.name === 'channel_occupied')).toEqual([]);
  });
});

/** A LocalAdapter that fails the operations a test names, once each. */
class FailingAdapter extends LocalAdapter {
  readonly failJoin = new Set<string>();
  readonly failLeave = new Set<string>();
  /** Joins that find the cluster's state unreachable (a Redis outage outlasting the hold). */
  readonly unavailable = new Set<string>();

  // Both `join` and `joinNow` (the path the Session takes on a LocalAdapter) go through here.
  protected override joinAtOnce(...args: Parameters<LocalAdapter['join']>) {
    if (this.failJoin.delete(args[1])) throw new Error(`join ${args[1]} failed`);
    if (this.unavailable.delete(args[1])) throw new AdapterUnavailableError();
    return super.joinAtOnce(...args);
  }

  override async leave(...args: Parameters<LocalAdapter['leave']>) {
    const outcome = await super.leave(...args);
    if (this.failLeave.delete(args[1])) throw new Error(`leave ${args[1]} failed`);
    return outcome;
  }
}

describe('Session with a racing or failing adapter', () => {
  it('announces a member once when subscribe, unsubscribe and subscribe arrive during one join', async () => {
    let adapter: GatedAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new GatedAdapter({ now })) });
    const watcher = hub.connect();
    await watcher.subscribeSigned('presence-room', { user_id: 'alice' });
    watcher.take();
    const bob = hub.connect();
    const { auth, channel_data } = sdk.authorizeChannel(bob.socketId, 'presence-room', {
      user_id: 'bob',
    });
    const subscribe = {
      event: 'pusher:subscribe',
      data: { auth, channel_data, channel: 'presence-room' },
    };
    adapter!.hold();
    await bob.send(subscribe);
    await bob.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-room' } });
    await bob.send(subscribe);
    adapter!.release();
    for (let i = 0; i < 10; i++) await settle();
    expect(watcher.take().filter((f) => f.event === 'pusher_internal:member_added')).toHaveLength(
      1,
    );
    expect(await hub.adapter.channel('1', 'presence-room')).toEqual({
      subscriptionCount: 2,
      userCount: 2,
    });
    expect(isSubscribed(bob, 'presence-room')).toBe(true);
  });

  it('answers a failed join with an error and lets the client subscribe again', async () => {
    let adapter: FailingAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new FailingAdapter({ now })) });
    const c = hub.connect();
    adapter!.failJoin.add('news');
    await c.subscribe('news');
    expect(lastError(c)).toEqual({
      code: null,
      message: 'Subscription to news failed: internal error',
    });
    await c.subscribe('news');
    expect(isSubscribed(c, 'news')).toBe(true);
    expect(hub.internalErrors).toHaveLength(1);
  });

  it('tells the client to reconnect (4200) when the cluster state stays unreachable during a join', async () => {
    let adapter: FailingAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new FailingAdapter({ now })) });
    const c = hub.connect();
    adapter!.unavailable.add('news');
    await c.subscribe('news');
    expect(lastError(c)).toEqual({ code: 4200, message: 'Cluster state unavailable: reconnect' });
    expect(c.transport.closedWith).toEqual({
      code: 4200,
      reason: 'Cluster state unavailable: reconnect',
    });
    expect(hub.internalErrors).toEqual([]);
  });

  it('tells a signing-in client to reconnect (4200) when its watchlist cannot be joined', async () => {
    let adapter: FailingAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new FailingAdapter({ now })) });
    const c = hub.connect();
    adapter!.unavailable.add('#watchlist-b');
    await c.signIn({ id: 'a', watchlist: ['b'] });
    expect(c.transport.closedWith?.code).toBe(4200);
    expect(hub.internalErrors).toEqual([]);
  });

  it('still leaves every other channel and signs out when one leave fails on close', async () => {
    let adapter: FailingAdapter | undefined;
    const hub = createHub({ adapter: (now) => (adapter = new FailingAdapter({ now })) });
    const c = hub.connect();
    await c.subscribe('a');
    await c.subscribe('b');
    await c.signIn({ id: 'u' });
    adapter!.failLeave.add('a');
    await c.close();
    expect(await hub.adapter.channel('1', 'b')).toBeUndefined();
    expect(await hub.adapter.onlineUsers('1', ['u'])).toEqual([]);
    expect(hub.internalErrors).toHaveLength(1);
  });

  it('refuses a subscription beyond maxChannelsPerConnection [U]', async () => {
    const hub = createHub({ limits: { maxChannelsPerConnection: 2 } });
    const c = hub.connect();
    await c.subscribe('one');
    await c.subscribe('two');
    await c.subscribe('three');
    expect(lastError(c)).toEqual({
      code: null,
      message: 'Too many subscriptions: at most 2 per connection',
    });
    await expectAlive(c);
  });
});

describe('Session disconnect', () => {
  it('sends a code of 4300 or more as an error only and keeps the socket open', async () => {
    const c = createHub().connect();
    c.session.disconnect(4301, 'not a close code');
    expect(lastError(c)).toEqual({ code: 4301, message: 'not a close code' });
    expect(c.transport.closedWith).toBeUndefined();
  });
});
