import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../adapter/adapter.ts';
import type { OutboundFrame } from '../protocol/frames.ts';
import { ChannelRegistry } from './registry.ts';

const APP = 'app-id';

function subscriber(socketId: string): Subscriber & { received: OutboundFrame[] } {
  const received: OutboundFrame[] = [];
  return { socketId, received, deliver: (frame) => received.push(frame), disconnect: () => {} };
}

const alice = { userId: 'alice', userInfo: { name: 'A' } };
const bob = { userId: 'bob', userInfo: { name: 'B' } };

describe('ChannelRegistry occupancy', () => {
  it('reports channelOccupied for the first subscriber only', () => {
    const registry = new ChannelRegistry();
    expect(registry.join(APP, 'news', subscriber('1.1'))).toMatchObject({
      ok: true,
      channelOccupied: true,
      subscriptionCount: 1,
    });
    expect(registry.join(APP, 'news', subscriber('2.2'))).toMatchObject({
      channelOccupied: false,
      subscriptionCount: 2,
    });
  });

  it('reports channelVacated when the last subscriber leaves', () => {
    const registry = new ChannelRegistry();
    const [a, b] = [subscriber('1.1'), subscriber('2.2')];
    registry.join(APP, 'news', a);
    registry.join(APP, 'news', b);
    expect(registry.leave(APP, 'news', a)).toMatchObject({
      wasSubscribed: true,
      channelVacated: false,
      subscriptionCount: 1,
    });
    expect(registry.leave(APP, 'news', b)).toMatchObject({
      wasSubscribed: true,
      channelVacated: true,
      subscriptionCount: 0,
    });
    expect(registry.channelNames(APP)).toEqual([]);
  });

  it('reports occupied again after a channel was vacated', () => {
    const registry = new ChannelRegistry();
    const a = subscriber('1.1');
    registry.join(APP, 'news', a);
    registry.leave(APP, 'news', a);
    expect(registry.join(APP, 'news', a)).toMatchObject({ channelOccupied: true });
  });

  it('changes nothing when a socket leaves a channel it is not in', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'news', subscriber('1.1'));
    expect(registry.leave(APP, 'news', subscriber('2.2'))).toEqual({
      wasSubscribed: false,
      channelVacated: false,
      subscriptionCount: 1,
    });
    expect(registry.leave(APP, 'other', subscriber('2.2'))).toMatchObject({
      wasSubscribed: false,
      subscriptionCount: 0,
    });
  });

  it('does not count a socket twice when it joins twice', () => {
    const registry = new ChannelRegistry();
    const a = subscriber('1.1');
    registry.join(APP, 'news', a);
    expect(registry.join(APP, 'news', a)).toMatchObject({
      channelOccupied: false,
      subscriptionCount: 1,
    });
  });

  it('keeps apps apart', () => {
    const registry = new ChannelRegistry();
    registry.join('one', 'news', subscriber('1.1'));
    expect(registry.join('two', 'news', subscriber('2.2'))).toMatchObject({
      channelOccupied: true,
    });
    expect(registry.subscribers('one', 'news')?.size).toBe(1);
  });
});

describe('ChannelRegistry presence', () => {
  it('adds a member on the first socket of a user and includes it in the roster', () => {
    const registry = new ChannelRegistry();
    const outcome = registry.join(APP, 'presence-room', subscriber('1.1'), alice);
    expect(outcome).toMatchObject({
      ok: true,
      channelOccupied: true,
      memberAdded: true,
      subscriptionCount: 1,
    });
    const presence = outcome.ok ? outcome.presence : undefined;
    expect(presence?.ids).toEqual(['alice']);
    expect(presence?.hash).toEqual({ alice: { name: 'A' } });
    expect(presence?.count).toBe(1);
  });

  it('gives the roster as the subscription_succeeded frame carries it', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice);
    const bob = { userId: 'b"ob', userInfo: undefined };
    const second = registry.join(APP, 'presence-room', subscriber('2.2'), bob);
    const third = registry.join(APP, 'presence-room', subscriber('3.3'), alice);
    const roster = second.ok ? second.presence : undefined;
    const text = roster?.frame?.text ?? '';
    expect(JSON.parse((JSON.parse(text) as { data: string }).data)).toEqual({
      presence: { ids: ['alice', 'b"ob'], hash: { alice: { name: 'A' }, 'b"ob': null }, count: 2 },
    });
    expect(third.ok && third.presence?.frame?.text).toBe(text);
    registry.leave(APP, 'presence-room', subscriber('2.2'));
    const fourth = registry.join(APP, 'presence-room', subscriber('4.4'), alice);
    expect(fourth.ok && fourth.presence?.ids).toEqual(['alice']);
  });

  it('does not add a member again for a second socket of the same user', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice);
    const outcome = registry.join(APP, 'presence-room', subscriber('2.2'), alice);
    expect(outcome).toMatchObject({ memberAdded: false, subscriptionCount: 2 });
    expect(outcome.ok && outcome.presence?.count).toBe(1);
  });

  it('keeps the first user_info when a second socket brings other info ([U] §5.5)', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice);
    const outcome = registry.join(APP, 'presence-room', subscriber('2.2'), {
      userId: 'alice',
      userInfo: { name: 'changed' },
    });
    expect(outcome.ok && outcome.presence?.hash).toEqual({ alice: { name: 'A' } });
  });

  it('removes a member only when its last socket leaves', () => {
    const registry = new ChannelRegistry();
    const [a1, a2, b] = [subscriber('1.1'), subscriber('2.2'), subscriber('3.3')];
    registry.join(APP, 'presence-room', a1, alice);
    registry.join(APP, 'presence-room', a2, alice);
    registry.join(APP, 'presence-room', b, bob);
    expect(registry.leave(APP, 'presence-room', a1).memberRemoved).toBeUndefined();
    expect(registry.memberIds(APP, 'presence-room')).toEqual(['alice', 'bob']);
    expect(registry.leave(APP, 'presence-room', a2).memberRemoved).toBe('alice');
    expect(registry.memberIds(APP, 'presence-room')).toEqual(['bob']);
  });

  it('lists members without user_info as null in the hash ([U] §5.5)', () => {
    const registry = new ChannelRegistry();
    const outcome = registry.join(APP, 'presence-room', subscriber('1.1'), {
      userId: '42',
      userInfo: undefined,
    });
    expect(outcome.ok && outcome.presence?.hash).toEqual({ '42': null });
  });

  it('lists a member whose user_id is "__proto__" in the hash like any other', () => {
    const registry = new ChannelRegistry();
    const outcome = registry.join(APP, 'presence-room', subscriber('1.1'), {
      userId: '__proto__',
      userInfo: { n: 1 },
    });
    const presence = outcome.ok ? outcome.presence : undefined;
    expect(JSON.parse(JSON.stringify(presence))).toEqual({
      ids: ['__proto__'],
      hash: JSON.parse('{"__proto__":{"n":1}}'),
      count: 1,
    });
  });

  it('refuses a new user when the channel has maxMembers users', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice, 1);
    expect(registry.join(APP, 'presence-room', subscriber('2.2'), bob, 1)).toEqual({
      ok: false,
      reason: 'presence-full',
    });
    expect(registry.subscribers(APP, 'presence-room')?.size).toBe(1);
  });

  it('admits another socket of a present user when the channel is full', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice, 1);
    expect(registry.join(APP, 'presence-room', subscriber('2.2'), alice, 1)).toMatchObject({
      ok: true,
      memberAdded: false,
    });
  });

  it('counts users, not sockets, in the stats of a presence channel', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'presence-room', subscriber('1.1'), alice);
    registry.join(APP, 'presence-room', subscriber('2.2'), alice);
    registry.join(APP, 'presence-room', subscriber('3.3'), bob);
    expect(registry.stats(APP, 'presence-room')).toEqual({ subscriptionCount: 3, userCount: 2 });
  });

  it('has no userCount in the stats of a public channel', () => {
    const registry = new ChannelRegistry();
    registry.join(APP, 'news', subscriber('1.1'));
    expect(registry.stats(APP, 'news')).toEqual({ subscriptionCount: 1 });
    expect(registry.stats(APP, 'empty')).toBeUndefined();
  });
});

describe('ChannelRegistry sign-in', () => {
  it('reports the first connection of a user and its last', () => {
    const registry = new ChannelRegistry();
    const [a1, a2] = [subscriber('1.1'), subscriber('2.2')];
    expect(registry.signIn(APP, 'alice', a1)).toBe(true);
    expect(registry.signIn(APP, 'alice', a2)).toBe(false);
    expect(registry.isOnline(APP, 'alice')).toBe(true);
    expect(registry.signOut(APP, 'alice', a1)).toBe(false);
    expect(registry.signOut(APP, 'alice', a2)).toBe(true);
    expect(registry.isOnline(APP, 'alice')).toBe(false);
  });

  it('ignores signing out a socket that never signed in', () => {
    const registry = new ChannelRegistry();
    registry.signIn(APP, 'alice', subscriber('1.1'));
    expect(registry.signOut(APP, 'alice', subscriber('9.9'))).toBe(false);
    expect(registry.signOut(APP, 'nobody', subscriber('1.1'))).toBe(false);
    expect(registry.isOnline(APP, 'alice')).toBe(true);
  });

  it('lists the sockets of a signed-in user', () => {
    const registry = new ChannelRegistry();
    registry.signIn(APP, 'alice', subscriber('1.1'));
    registry.signIn(APP, 'alice', subscriber('2.2'));
    expect(registry.userSockets(APP, 'alice').map((s) => s.socketId)).toEqual(['1.1', '2.2']);
  });
});

describe('ChannelRegistry cache', () => {
  it('returns a cached event with the whole seconds left', () => {
    const registry = new ChannelRegistry();
    registry.setCache(APP, 'cache-x', 'price', '{"p":1}', 60_000);
    expect(registry.getCache(APP, 'cache-x', 500)).toEqual({
      event: 'price',
      data: '{"p":1}',
      ttlSeconds: 60,
    });
    expect(registry.getCache(APP, 'cache-x', 58_500)?.ttlSeconds).toBe(2);
  });

  it('keeps only the last event of a channel', () => {
    const registry = new ChannelRegistry();
    registry.setCache(APP, 'cache-x', 'a', '1', 10_000);
    registry.setCache(APP, 'cache-x', 'b', '2', 10_000);
    expect(registry.getCache(APP, 'cache-x', 0)).toMatchObject({ event: 'b', data: '2' });
  });

  it('forgets an event once its TTL has passed', () => {
    const registry = new ChannelRegistry();
    registry.setCache(APP, 'cache-x', 'price', '1', 10_000);
    expect(registry.getCache(APP, 'cache-x', 9_999)).toBeDefined();
    expect(registry.getCache(APP, 'cache-x', 10_000)).toBeUndefined();
  });

  it('sweeps expired entries and keeps live ones', () => {
    const registry = new ChannelRegistry();
    registry.setCache(APP, 'cache-old', 'e', '1', 1_000);
    registry.setCache(APP, 'cache-new', 'e', '2', 5_000);
    registry.sweepCache(2_000);
    expect(registry.getCache(APP, 'cache-old', 0)).toBeUndefined();
    expect(registry.getCache(APP, 'cache-new', 0)).toBeDefined();
  });

  it('has no cache for a channel never published to', () => {
    expect(new ChannelRegistry().getCache(APP, 'cache-x', 0)).toBeUndefined();
  });
});
