/**
 * How a Redis node keeps the shared state honest when something fails.
 *
 * - Heartbeat: every beat records the node in `P:nodes` with Redis's clock; a node silent for
 *   `nodeTimeoutMs` is reclaimed by a survivor, once (each share is taken back by one script).
 *   It also reads the epoch that tells a Redis that lost its data (on a cluster, every master's).
 * - Resync: after Redis was unreachable, lost its data, or presumed this node dead, the node
 *   rewrites its share of every channel and sign-in from its local truth and removes what it no
 *   longer holds; the scripts report which members that added or removed, and the node announces
 *   them. Additions are announced only when Redis kept its data (they undo an announced removal);
 *   after a data loss the clients never saw the members go, so only removals are announced.
 * - Removals made during the outage are remembered here, since after a data loss (or a leave
 *   whose reply was lost) Redis no longer shows them; after the resync each is announced once
 *   cluster-wide, if still true and not announced yet (the GONE script).
 */
import { randomUUID } from 'node:crypto';
import type { ChannelEventSink } from '../../channels/channel-events.ts';
import { channelKind, watchlistChannel } from '../../protocol/channel-kind.ts';
import type { OutboundFrame } from '../../protocol/frames.ts';
import { memberAdded, memberRemoved, watchlistEvents } from '../../protocol/frames.ts';
import { ShardEpochs } from './epochs.ts';
import type { Indexes } from './indexes.ts';
import { parseEntry, type RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';
import {
  channelKey,
  type LocalChannel,
  type LocalRemoval,
  type LocalShare,
} from './local-share.ts';

export interface SyncHost {
  readonly nodeId: string;
  readonly keys: RedisKeys;
  readonly redis: Scripted;
  readonly share: LocalShare;
  /** The members this node's presence sockets were shown, per local channel. */
  readonly views: Map<string, Set<string>>;
  readonly nodeTimeoutMs: number;
  readonly onReclaim: ChannelEventSink;
  readonly counts: { share(): Promise<void>; drop(node: string): Promise<void> };
  readonly indexes: Indexes;
  readonly up: boolean;
  markDown(error: unknown): void;
  onError(error: unknown): void;
  markSyncing(): void;
  markUp(): void;
  announce(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId?: string,
    rosterVersion?: number,
  ): Promise<void>;
  catchUp(): Promise<void>;
}

export class Sync {
  /** Something failed to reach Redis: the next beat rewrites this node's share. */
  dirty = false;
  #epoch: string | undefined;
  #upSince = 0;
  #beating: Promise<void> | undefined;
  /** Removals made while Redis was unreachable, as JSON [kind, app, channel or user, user]. */
  readonly #pending = new Set<string>();
  /** On a cluster, every shard's epoch: one may lose its data while `{nodes}` keeps its own. */
  readonly #shards: ShardEpochs | undefined;

  constructor(private readonly host: SyncHost) {
    this.#shards = host.redis.isCluster ? new ShardEpochs(host.redis, host.keys) : undefined;
  }

  deferLeave(app: string, channel: string, removal: LocalRemoval): void {
    this.dirty = true;
    if (removal.lastOfUser && removal.userId !== '')
      this.#pending.add(JSON.stringify(['m', app, channel, removal.userId]));
    if (removal.lastOfChannel) this.#pending.add(JSON.stringify(['v', app, channel, '']));
  }

  deferSignOut(app: string, userId: string, last: boolean): void {
    this.dirty = true;
    if (last) this.#pending.add(JSON.stringify(['o', app, userId, userId]));
  }

  /** Counts a sign-in cluster-wide; true for the user's first connection. */
  async signedIn(app: string, userId: string): Promise<boolean> {
    // While Redis is away the resync registers it once Redis is back.
    if (!this.host.up) {
      this.dirty = true;
      return false;
    }
    try {
      return (await this.#sign(app, userId, 1)) === 1;
    } catch (error) {
      this.dirty = true;
      this.host.markDown(error);
      return false;
    }
  }

  /** Counts a sign-out cluster-wide; true when the user went offline. */
  async signedOut(app: string, userId: string, last: boolean): Promise<boolean> {
    if (!this.host.up) {
      this.deferSignOut(app, userId, last);
      return false;
    }
    try {
      // -1: already reclaimed (and announced offline by the reclaiming node).
      return (await this.#sign(app, userId, -1)) === 0;
    } catch (error) {
      this.host.markDown(error);
      this.deferSignOut(app, userId, last);
      return false;
    }
  }

  async #sign(app: string, userId: string, delta: 1 | -1): Promise<number> {
    const { keys, nodeId } = this.host;
    if (delta > 0) await this.host.indexes.addUsers(nodeId, app);
    return this.host.redis.pwSign(
      keys.users(app),
      keys.userShare(app, nodeId),
      userId,
      String(delta),
    );
  }

  /** One heartbeat at a time; rejects when Redis could not be reached. */
  beat(): Promise<void> {
    return (this.#beating ??= this.#beat().finally(() => (this.#beating = undefined)));
  }

  async #beat(): Promise<void> {
    const { host } = this;
    const { keys, nodeId } = host;
    const [present, epoch, dead] = await host.redis.pwBeat(
      keys.nodes,
      keys.epoch,
      nodeId,
      String(host.nodeTimeoutMs),
      randomUUID(),
    );
    const shardLost = (await this.#shards?.check()) ?? false;
    const first = this.#epoch === undefined;
    const lost = !first && (epoch !== this.#epoch || shardLost);
    this.#epoch = epoch;
    if (first) {
      this.#upSince = Date.now();
      return host.markUp();
    }
    // Written whole each beat: it keeps the counts alive, and restores them after a data loss.
    await host.counts.share();
    if (!host.up || this.dirty || lost || present === 0) return this.#resync(lost);
    // Just back from an outage, every node's last beat is old: wait for the live ones to beat.
    if (Date.now() - this.#upSince < host.nodeTimeoutMs) return;
    for (const node of dead) if (node !== nodeId) await this.reclaim(node);
  }

  async #resync(lost: boolean): Promise<void> {
    const { host } = this;
    host.markSyncing();
    this.dirty = false;
    try {
      const announceAdds = !lost;
      const held = host.share.channels;
      const indexed = lost ? [] : await host.redis.smembers(host.keys.nodeIndex(host.nodeId));
      for (const entry of [...held.values()])
        await this.#setShare(host.nodeId, entry.app, entry.channel, entry, announceAdds);
      const apps = new Set(host.share.signedIn.keys());
      for (const text of indexed) {
        const entry = parseEntry(text);
        if (entry?.kind === 'u') apps.add(entry.app);
        if (entry?.kind === 'c' && !held.has(channelKey(entry.app, entry.channel)))
          await this.#setShare(host.nodeId, entry.app, entry.channel, undefined, announceAdds);
      }
      for (const app of apps) await this.#setUsers(host.nodeId, app, announceAdds);
    } catch (error) {
      this.dirty = true;
      throw error;
    }
    // After a data loss, every live node (beating each second) must have written its members
    // back first; the members its clients were shown and no node holds any more then went
    // while Redis was away (their node died meanwhile, say), and are announced as gone.
    const settle = lost ? host.nodeTimeoutMs : 0;
    if (lost) {
      for (const [key, ids] of host.views) {
        const [app = '', channel = ''] = key.split('\n');
        for (const userId of ids) this.#pending.add(JSON.stringify(['m', app, channel, userId]));
      }
    }
    setTimeout(() => void this.#announcePending(lost).catch(host.onError), settle).unref();
    this.#upSince = Date.now();
    host.markUp();
    await host.catchUp();
  }

  /** Takes back everything a dead (or closing) node held, and tells the survivors. */
  async reclaim(node: string): Promise<void> {
    const { redis, keys } = this.host;
    for (const text of await redis.smembers(keys.nodeIndex(node))) {
      const entry = parseEntry(text);
      if (entry?.kind === 'c')
        await this.#setShare(node, entry.app, entry.channel, undefined, false);
      else if (entry?.kind === 'u') await this.#setUsers(node, entry.app, false, true);
    }
    // Two slots: the index goes first, so a node found again in `nodes` is reclaimed again.
    await redis.del(keys.nodeIndex(node));
    await redis.zrem(keys.nodes, node);
    await this.host.counts.drop(node);
  }

  /** Sets `node`'s share of a channel to `held` (nothing when undefined) and announces. */
  async #setShare(
    node: string,
    app: string,
    channel: string,
    held: LocalChannel | undefined,
    announceAdds: boolean,
  ): Promise<void> {
    const { host } = this;
    const { keys } = host;
    const subs = held?.sockets.size ?? 0;
    const args = [channel, '', String(subs)];
    for (const [user, { count, info }] of held?.users ?? []) args.push(user, String(count), info);
    if (subs > 0) await host.indexes.addShare(node, app, channel);
    const out = await host.redis.pwShare(
      keys.channel(app, channel),
      keys.share(app, channel, node),
      keys.gone(app, channel),
      ...args,
    );
    // Listed again even without a transition: the set may have been lost with Redis's data.
    if (subs > 0) await host.indexes.occupied(app, channel);
    else if (node === host.nodeId) await host.indexes.removeShare(node, app, channel);
    const [, version, vacated, occupied, addedCount, ...names] = out.map(String);
    if (vacated === '1') await host.indexes.vacated(app, channel);
    const added = names.slice(0, Number(addedCount));
    const version_ = Number(version);
    for (const userId of names.slice(Number(addedCount))) {
      await host.announce(app, channel, memberRemoved(channel, userId), '', version_);
      host.onReclaim({ name: 'member_removed', appId: app, channel, userId });
    }
    if (announceAdds) {
      for (const userId of added) {
        const info = held?.users.get(userId)?.info ?? '';
        const frame = memberAdded(channel, userId, info === '' ? undefined : JSON.parse(info));
        await host.announce(app, channel, frame, '', version_);
        host.onReclaim({ name: 'member_added', appId: app, channel, userId });
      }
    }
    if (channelKind(channel).isInternal) return;
    if (vacated === '1') host.onReclaim({ name: 'channel_vacated', appId: app, channel });
    if (occupied === '1' && announceAdds)
      host.onReclaim({ name: 'channel_occupied', appId: app, channel });
  }

  /** Sets `node`'s share of an app's signed-in users to this node's (or none) and announces. */
  async #setUsers(node: string, app: string, announceOnline: boolean, none = false) {
    const { host } = this;
    const args = [''];
    if (!none) {
      for (const [user, sockets] of host.share.signedIn.get(app) ?? [])
        args.push(user, String(sockets.size));
    }
    if (args.length > 1) await host.indexes.addUsers(node, app);
    const out = (
      await host.redis.pwUsers(host.keys.users(app), host.keys.userShare(app, node), ...args)
    ).map(String);
    if (args.length === 1 && node === host.nodeId) await host.indexes.removeUsers(node, app);
    const onlineCount = Number(out[0]);
    const online = out.slice(1, 1 + onlineCount);
    for (const user of out.slice(1 + onlineCount)) await this.#watchlist(app, user, 'offline');
    if (announceOnline) for (const user of online) await this.#watchlist(app, user, 'online');
  }

  #watchlist(app: string, userId: string, name: 'online' | 'offline'): Promise<void> {
    const frame = watchlistEvents([{ name, user_ids: [userId] }]);
    return this.host.announce(app, watchlistChannel(userId), frame);
  }

  /** The removals of the outage that still hold and nothing announced, announced once. */
  async #announcePending(lost: boolean): Promise<void> {
    const { host } = this;
    const { keys, redis } = host;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const text of pending) {
      const [kind = '', app = '', name = '', userId = ''] = JSON.parse(text) as string[];
      if (kind === 'o') {
        // With its data kept, Redis's own count was rewritten and announced by the resync.
        if (lost && Number((await redis.hget(keys.users(app), userId)) ?? 0) <= 0)
          await this.#watchlist(app, userId, 'offline');
        continue;
      }
      const said = await redis.pwGone(keys.channel(app, name), keys.gone(app, name), userId);
      if (said <= 0) continue;
      if (kind === 'm') {
        await host.announce(app, name, memberRemoved(name, userId), '', said);
        host.onReclaim({ name: 'member_removed', appId: app, channel: name, userId });
      } else if (!channelKind(name).isInternal) {
        host.onReclaim({ name: 'channel_vacated', appId: app, channel: name });
      }
    }
  }
}
