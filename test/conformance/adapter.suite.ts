/**
 * The Adapter contract (src/adapter/adapter.ts), as one suite every implementation runs.
 * `make` builds a fresh adapter per test; `nodes` > 1 gives adapters that share one cluster.
 */
import { describe, expect, it } from 'vitest';
import type { Adapter, Subscriber } from '../../src/adapter/adapter.ts';
import { OutboundFrame } from '../../src/protocol/frames.ts';
import { waitUntil } from '../helpers/wait.ts';

export interface AdapterFactory {
  /** Adapters that see the same cluster state (one for a single-node implementation). */
  make(nodes: number): Promise<Adapter[]>;
  readonly maxNodes: number;
}

export class RecordingSubscriber implements Subscriber {
  readonly frames: string[] = [];
  readonly disconnects: Array<{ code: number; message: string }> = [];
  constructor(readonly socketId: string) {}
  deliver(frame: OutboundFrame): void {
    this.frames.push(frame.text);
  }
  disconnect(code: number, message: string): void {
    this.disconnects.push({ code, message });
  }
}

let sequence = 0;
const sub = () => new RecordingSubscriber(`${++sequence}.${sequence}`);
const frame = (text: string) => new OutboundFrame(text);

export function adapterContract(name: string, factory: AdapterFactory): void {
  describe(`${name} adapter contract`, () => {
    it('reports channelOccupied only for the first subscriber of a channel', async () => {
      const [adapter] = await factory.make(1);
      const first = await adapter!.join('a', 'room', sub());
      const second = await adapter!.join('a', 'room', sub());
      expect([first.ok && first.channelOccupied, second.ok && second.channelOccupied]).toEqual([
        true,
        false,
      ]);
    });

    it('reports channelVacated only when the last subscriber leaves', async () => {
      const [adapter] = await factory.make(1);
      const [one, two] = [sub(), sub()];
      await adapter!.join('a', 'room', one);
      await adapter!.join('a', 'room', two);
      expect((await adapter!.leave('a', 'room', one)).channelVacated).toBe(false);
      expect((await adapter!.leave('a', 'room', two)).channelVacated).toBe(true);
      expect(await adapter!.channel('a', 'room')).toBeUndefined();
    });

    it('changes nothing when a socket joins a channel it is already in', async () => {
      const [adapter] = await factory.make(1);
      const socket = sub();
      await adapter!.join('a', 'presence-x', socket, { userId: 'u', userInfo: undefined });
      const again = await adapter!.join('a', 'presence-x', socket, {
        userId: 'u',
        userInfo: undefined,
      });
      expect(again).toMatchObject({
        ok: true,
        channelOccupied: false,
        memberAdded: false,
        subscriptionCount: 1,
      });
      expect(await adapter!.leave('a', 'presence-x', socket)).toMatchObject({
        channelVacated: true,
        memberRemoved: 'u',
      });
      expect(await adapter!.channel('a', 'presence-x')).toBeUndefined();
    });

    it('reports wasSubscribed false for a socket that never joined', async () => {
      const [adapter] = await factory.make(1);
      expect(await adapter!.leave('a', 'room', sub())).toMatchObject({
        wasSubscribed: false,
        channelVacated: false,
      });
    });

    it('adds a presence member on its first socket only and removes it after its last', async () => {
      const [adapter] = await factory.make(1);
      const [tab1, tab2] = [sub(), sub()];
      const join1 = await adapter!.join('a', 'presence-x', tab1, {
        userId: 'u',
        userInfo: { n: 1 },
      });
      const join2 = await adapter!.join('a', 'presence-x', tab2, {
        userId: 'u',
        userInfo: { n: 2 },
      });
      expect([join1.ok && join1.memberAdded, join2.ok && join2.memberAdded]).toEqual([true, false]);
      expect((await adapter!.leave('a', 'presence-x', tab1)).memberRemoved).toBeUndefined();
      expect((await adapter!.leave('a', 'presence-x', tab2)).memberRemoved).toBe('u');
    });

    it('returns the roster including the new member, counting each user once', async () => {
      const [adapter] = await factory.make(1);
      await adapter!.join('a', 'presence-x', sub(), { userId: 'u1', userInfo: { name: 'One' } });
      await adapter!.join('a', 'presence-x', sub(), { userId: 'u1', userInfo: { name: 'One' } });
      const outcome = await adapter!.join('a', 'presence-x', sub(), {
        userId: 'u2',
        userInfo: undefined,
      });
      const presence = outcome.ok ? outcome.presence : undefined;
      // Compared as fields: an adapter may hand a roster object that keeps more (its text).
      const { ids, hash, count } = presence ?? {};
      expect({ ids, hash, count }).toEqual({
        ids: ['u1', 'u2'],
        hash: { u1: { name: 'One' }, u2: null },
        count: 2,
      });
      expect(await adapter!.channel('a', 'presence-x')).toEqual({
        subscriptionCount: 3,
        userCount: 2,
      });
      expect((await adapter!.members('a', 'presence-x')).sort()).toEqual(['u1', 'u2']);
    });

    it('keeps a member whose user id is __proto__ in the roster hash', async () => {
      const [adapter] = await factory.make(1);
      const outcome = await adapter!.join('a', 'presence-x', sub(), {
        userId: '__proto__',
        userInfo: { n: 1 },
      });
      expect(outcome.ok && Object.keys(outcome.presence!.hash)).toEqual(['__proto__']);
    });

    it('refuses a new presence member beyond maxMembers but admits more sockets of a member', async () => {
      const [adapter] = await factory.make(1);
      await adapter!.join('a', 'presence-x', sub(), { userId: 'u1', userInfo: undefined }, 1);
      const another = await adapter!.join(
        'a',
        'presence-x',
        sub(),
        { userId: 'u2', userInfo: undefined },
        1,
      );
      const sameUser = await adapter!.join(
        'a',
        'presence-x',
        sub(),
        { userId: 'u1', userInfo: undefined },
        1,
      );
      expect(another).toEqual({ ok: false, reason: 'presence-full' });
      expect(sameUser.ok).toBe(true);
    });

    it('delivers a publish to every subscriber except the excluded socket, in order', async () => {
      const [adapter] = await factory.make(1);
      const [one, two] = [sub(), sub()];
      await adapter!.join('a', 'room', one);
      await adapter!.join('a', 'room', two);
      adapter!.publish('a', 'room', frame('first'), one.socketId);
      adapter!.publish('a', 'room', frame('second'));
      await waitUntil(() => two.frames.length === 2 && one.frames.length === 1, 'deliveries');
      expect(two.frames).toEqual(['first', 'second']);
      expect(one.frames).toEqual(['second']);
    });

    it('delivers a whole batch, and caches the events of cache channels', async () => {
      const [adapter] = await factory.make(1);
      const [one, two] = [sub(), sub()];
      await adapter!.join('a', 'room', one);
      await adapter!.join('a', 'cache-room', two);
      await adapter!.publishBatch('a', [
        { channel: 'room', frame: frame('first') },
        {
          channel: 'cache-room',
          frame: frame('cached'),
          cache: { event: 'ev', data: 'cached', ttlSeconds: 60 },
        },
        { channel: 'room', frame: frame('excluded'), exceptSocketId: one.socketId },
      ]);
      await waitUntil(() => one.frames.length === 1 && two.frames.length === 1, 'deliveries');
      expect([one.frames, two.frames]).toEqual([['first'], ['cached']]);
      expect(await adapter!.getCache('a', 'cache-room')).toMatchObject({ data: 'cached' });
    });

    it('is ready when healthy', async () => {
      const [adapter] = await factory.make(1);
      expect(adapter!.notReady()).toBeUndefined();
    });

    it('keeps apps apart', async () => {
      const [adapter] = await factory.make(1);
      const listener = sub();
      await adapter!.join('app-1', 'room', listener);
      adapter!.publish('app-2', 'room', frame('other app'));
      adapter!.publish('app-1', 'room', frame('own app'));
      await waitUntil(() => listener.frames.length > 0, 'delivery');
      expect(listener.frames).toEqual(['own app']);
      expect(await adapter!.channels('app-2')).toEqual(new Map());
    });

    it('tracks sign-in: online on the first connection, offline after the last', async () => {
      const [adapter] = await factory.make(1);
      const [tab1, tab2] = [sub(), sub()];
      expect(await adapter!.signIn('a', 'u', tab1)).toEqual({ firstConnection: true });
      expect(await adapter!.signIn('a', 'u', tab2)).toEqual({ firstConnection: false });
      expect(await adapter!.onlineUsers('a', ['u', 'nobody'])).toEqual(['u']);
      expect(await adapter!.signOut('a', 'u', tab1)).toEqual({ lastConnection: false });
      expect(await adapter!.signOut('a', 'u', tab2)).toEqual({ lastConnection: true });
      expect(await adapter!.onlineUsers('a', ['u'])).toEqual([]);
    });

    it("disconnects every socket of a terminated user and no one else's", async () => {
      const [adapter] = await factory.make(1);
      const [mine, alsoMine, theirs] = [sub(), sub(), sub()];
      await adapter!.signIn('a', 'me', mine);
      await adapter!.signIn('a', 'me', alsoMine);
      await adapter!.signIn('a', 'them', theirs);
      adapter!.terminateUser('a', 'me', 4009, 'bye');
      await waitUntil(
        () => mine.disconnects.length === 1 && alsoMine.disconnects.length === 1,
        'disconnects',
      );
      expect(theirs.disconnects).toEqual([]);
    });

    it('returns the cached event with its remaining ttl', async () => {
      const [adapter] = await factory.make(1);
      await adapter!.setCache('a', 'cache-x', 'ev', 'payload', 60);
      expect(await adapter!.getCache('a', 'cache-x')).toEqual({
        event: 'ev',
        data: 'payload',
        ttlSeconds: 60,
      });
      expect(await adapter!.getCache('a', 'cache-other')).toBeUndefined();
    });

    it('answers a presence member with its user_info, and undefined for a stranger', async () => {
      const [adapter] = await factory.make(1);
      await adapter!.join('a', 'presence-x', sub(), { userId: 'ada', userInfo: { role: 'ops' } });
      await adapter!.join('a', 'presence-x', sub(), { userId: 'bob', userInfo: undefined });
      expect(await adapter!.member('a', 'presence-x', 'ada')).toEqual({
        userId: 'ada',
        userInfo: { role: 'ops' },
      });
      expect(await adapter!.member('a', 'presence-x', 'bob')).toEqual({
        userId: 'bob',
        userInfo: null,
      });
      expect(await adapter!.member('a', 'presence-x', 'eve')).toBeUndefined();
      expect(await adapter!.member('b', 'presence-x', 'ada')).toBeUndefined();
    });

    it("counts an app's open connections, apart from other apps'", async () => {
      const [adapter] = await factory.make(1);
      adapter!.countConnection('a', 1);
      adapter!.countConnection('a', 1);
      adapter!.countConnection('b', 1);
      adapter!.countConnection('a', -1);
      expect(await adapter!.connectionCount('a')).toBe(1);
      expect(await adapter!.connectionCount('b')).toBe(1);
      expect(await adapter!.connectionCount('c')).toBe(0);
    });

    if (factory.maxNodes > 1) {
      it("counts an app's connections on every node", async () => {
        const [first, second] = await factory.make(2);
        first!.countConnection('a', 1);
        second!.countConnection('a', 1);
        second!.countConnection('a', 1);
        await waitUntil(async () => (await first!.connectionCount('a')) === 3, 'shared counts');
        second!.countConnection('a', -1);
        await waitUntil(async () => (await first!.connectionCount('a')) === 2, 'a closed one');
      });

      it('delivers a publish made on one node to subscribers on another', async () => {
        const [first, second] = await factory.make(2);
        const remote = sub();
        await second!.join('a', 'room', remote);
        first!.publish('a', 'room', frame('across nodes'));
        await waitUntil(() => remote.frames.length === 1, 'remote delivery');
        expect(remote.frames).toEqual(['across nodes']);
      });

      it('counts a presence user once across nodes', async () => {
        const [first, second] = await factory.make(2);
        const join1 = await first!.join('a', 'presence-x', sub(), {
          userId: 'u',
          userInfo: undefined,
        });
        const join2 = await second!.join('a', 'presence-x', sub(), {
          userId: 'u',
          userInfo: undefined,
        });
        expect([join1.ok && join1.memberAdded, join2.ok && join2.memberAdded]).toEqual([
          true,
          false,
        ]);
        expect(await first!.channel('a', 'presence-x')).toEqual({
          subscriptionCount: 2,
          userCount: 1,
        });
      });
    }
  });
}
