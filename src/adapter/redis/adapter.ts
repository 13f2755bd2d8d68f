/**
 * The Redis Adapter: several Pushwire nodes behind a load balancer act as one server.
 *
 * - Delivery: a publish is appended to the channel's capped log and sent on the channel's own
 *   pub/sub channel in one script; every node holding the channel, this one included, delivers
 *   from it once per log id, and a node whose pub/sub link dropped reads what it missed from the
 *   log (bus.ts, feed.ts, routes.ts).
 * - Shared state (occupancy, presence rosters, signed-in users, cache) lives in Redis, changed
 *   only by the atomic scripts in scripts.ts; each node also keeps its own local truth
 *   (local-share.ts) and writes it back after Redis was unreachable or lost its data (sync.ts).
 * - Liveness: each node beats every second; one silent for `nodeTimeoutMs` is taken back by a
 *   survivor, which tells the others which members left.
 * The contract is the one in adapter.ts, checked by test/conformance/adapter.suite.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelEventSink } from '../../channels/channel-events.ts';
import { AdapterUnavailableError } from '../../errors.ts';
import type { OutboundFrame, PresenceSnapshot } from '../../protocol/frames.ts';
import type {
  Adapter,
  CachedEvent,
  ChannelStats,
  JoinOutcome,
  LeaveOutcome,
  PresenceMember,
  Publication,
  Subscriber,
} from '../adapter.ts';
import { LocalAdapter } from '../local.ts';
import { Bus, socketKey, type BusHost, type SocketRoster } from './bus.ts';
import { RedisConsoleLink } from './console-link.ts';
import { claimCountAnnouncement } from './count-lease.ts';
import { ConnectionCounts } from './counts.ts';
import { encodeTerminate } from './feed.ts';
import { Indexes } from './indexes.ts';
import { RedisKeys } from './keys.ts';
import { Health, withTimeout, type OutageEvent } from './health.ts';
import { openCommands, type RedisTarget, type Scripted } from './link.ts';
import { channelKey, LocalShare, userRoute } from './local-share.ts';
import { StateReads } from './reads.ts';
import { rosterOf, withEvents } from './roster.ts';
import { Sync, type SyncHost } from './sync.ts';

/** `url` (`redis[s]://[:password@]host:port/db`) for one Redis, or `cluster` seed nodes. */
export interface RedisAdapterOptions extends RedisTarget {
  /** Namespace of every key and of the pub/sub channel; nodes of one cluster share it. */
  readonly prefix: string;
  /** A node silent this long is presumed dead and its members removed (default 4 s). */
  readonly nodeTimeoutMs?: number;
  /** How often a node beats (default 1 s, at most a quarter of the timeout). */
  readonly heartbeatMs?: number;
  /** How long a subscription waits for Redis to come back before its client is told to reconnect. */
  readonly joinHoldMs?: number;
  /** Subscriptions held at most at once; beyond, their clients are told to reconnect. */
  readonly maxHeldJoins?: number;
  /** Connection and command failures, reported once per outage, never thrown. */
  readonly onError?: (error: unknown) => void;
  /** Outages: told once when one starts and once, with its length, when it ends. */
  readonly onOutage?: (event: OutageEvent) => void;
  /** Removals this node made on behalf of a dead node or of an outage, for webhooks and metrics. */
  readonly onReclaim?: ChannelEventSink;
}

export class RedisAdapter implements Adapter, SyncHost, BusHost {
  readonly nodeId = randomUUID();
  readonly keys: RedisKeys;
  readonly redis: Scripted;
  readonly share = new LocalShare();
  readonly local = new LocalAdapter();
  readonly nodeTimeoutMs: number;
  readonly onReclaim: ChannelEventSink;
  readonly counts: ConnectionCounts;
  readonly indexes: Indexes;
  readonly #bus: Bus;
  readonly #sync: Sync;
  readonly #reads: StateReads;
  readonly #heartbeatMs: number;
  readonly #joinHoldMs: number;
  readonly #health: Health;
  readonly onError: (error: unknown) => void;
  readonly versions = new Map<string, SocketRoster>();
  readonly views = new Map<string, Set<string>>();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #target: RedisTarget;
  #consoleLink: RedisConsoleLink | undefined;

  private constructor(options: RedisAdapterOptions) {
    this.keys = new RedisKeys(options.prefix);
    this.#target = options;
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 4_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.min(1_000, this.nodeTimeoutMs / 4);
    this.#joinHoldMs = options.joinHoldMs ?? 10_000;
    this.#health = new Health(
      options.onOutage ?? (() => undefined),
      this.#joinHoldMs,
      options.maxHeldJoins ?? 10_000,
    );
    this.onError = options.onError ?? (() => undefined);
    this.onReclaim = options.onReclaim ?? (() => undefined);
    this.redis = openCommands(options);
    this.indexes = new Indexes(this.redis, this.keys);
    this.#bus = new Bus(this, options);
    this.#sync = new Sync(this);
    this.#reads = new StateReads(this.keys, this.redis);
    this.counts = new ConnectionCounts(
      this.nodeId,
      this.keys,
      this.redis,
      this.local,
      Math.ceil(this.nodeTimeoutMs / 1000),
      (error) => this.markDown(error),
    );
    // Connection errors are the outage, reported once by markDown, not once per retry.
    this.redis.on('error', () => undefined);
    this.redis.on('close', () => this.markDown(new Error('Redis connection closed')));
    this.redis.on('ready', () => void this.#tick());
  }

  /** Connects both Redis connections and joins the cluster. */
  static async connect(options: RedisAdapterOptions): Promise<RedisAdapter> {
    const adapter = new RedisAdapter(options);
    try {
      await adapter.redis.connect();
      await adapter.#bus.connect();
      await adapter.#sync.beat();
    } catch (error) {
      // No connection left retrying behind a node that could not start.
      adapter.abandon();
      throw error;
    }
    adapter.#heartbeat = setInterval(() => void adapter.#tick(), adapter.#heartbeatMs);
    adapter.#heartbeat.unref();
    return adapter;
  }

  get up(): boolean {
    return this.#health.up;
  }

  async #tick(): Promise<void> {
    if (this.#health.closing) return;
    await this.#sync.beat().catch((error: unknown) => this.markDown(error));
  }

  markDown(error: unknown): void {
    this.#health.markDown(error);
  }

  markSyncing(): void {
    this.#health.markSyncing();
  }

  markUp(): void {
    this.#health.markUp();
  }

  #query<T>(run: () => Promise<T>): Promise<T> {
    return this.#health.query(run);
  }

  async join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): Promise<JoinOutcome> {
    if (this.share.has(appId, channel, subscriber.socketId)) return this.#rejoin(appId, channel);
    await this.#health.whenUp();
    const key = channelKey(appId, channel);
    // Subscribed before the script runs, so nothing published after it is missed.
    const routed = this.#bus.routes.hold(key);
    try {
      await withTimeout(routed, this.#joinHoldMs);
      return await this.#join(appId, channel, subscriber, member, maxMembers);
    } finally {
      this.#bus.routes.unhold(key);
    }
  }

  async #join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member: PresenceMember | undefined,
    maxMembers: number | undefined,
  ): Promise<JoinOutcome> {
    const userId = member?.userId ?? '';
    const info = member?.userInfo === undefined ? '' : JSON.stringify(member.userInfo);
    const key = channelKey(appId, channel);
    const { keys } = this;
    this.#bus.feed.beginJoin(key);
    let reply: Awaited<ReturnType<Scripted['pwJoin']>>;
    try {
      if (!this.share.channels.has(key)) await this.indexes.addShare(this.nodeId, appId, channel);
      reply = await this.redis.pwJoin(
        keys.channel(appId, channel),
        keys.share(appId, channel, this.nodeId),
        keys.log(appId, channel),
        keys.gone(appId, channel),
        channel,
        userId,
        info,
        String(maxMembers ?? 0),
      );
      if (reply[0] === 1) await this.indexes.occupied(appId, channel);
    } catch (error) {
      this.#bus.feed.endJoin(key);
      // It may have run before the link dropped: the node's share is rewritten on resync.
      this.#sync.dirty = true;
      this.markDown(error);
      throw new AdapterUnavailableError(undefined, error);
    }
    const missed = this.#bus.feed.endJoin(key);
    const [subs, added = 0, version = 0, lastId = '0-0', flat = []] = reply;
    if (subs < 0) return { ok: false, reason: 'presence-full' };
    this.share.add(appId, channel, subscriber.socketId, userId, info);
    await this.local.join(appId, channel, subscriber);
    this.#bus.feed.follow(key, lastId);
    let presence: PresenceSnapshot | undefined;
    if (member) {
      // Presence events that reached this node while the script ran are folded into the roster
      // if newer, and skipped for this socket if the roster already has them.
      const seen = withEvents(rosterOf(flat), version, missed);
      presence = seen.roster;
      const folded = this.#bus.feed.ahead(key, seen.folded);
      const from = this.#bus.feed.offset(key) ?? lastId;
      // Folded ones count as delivered: the roster has them.
      const roster = { version, folded, lastId, from, late: new Set(seen.folded) };
      this.versions.set(socketKey(appId, channel, subscriber), roster);
      this.views.set(key, new Set(seen.roster.ids));
    }
    return {
      ok: true,
      channelOccupied: subs === 1,
      memberAdded: added === 1,
      subscriptionCount: subs,
      rosterVersion: version,
      ...(presence ? { presence } : {}),
    };
  }

  /** A repeated join: nothing changes, and the outcome describes the channel as it is. */
  #rejoin(appId: string, channel: string): Promise<JoinOutcome> {
    return this.#query(() => this.#reads.rejoin(appId, channel));
  }

  async leave(appId: string, channel: string, subscriber: Subscriber): Promise<LeaveOutcome> {
    const removal = this.share.remove(appId, channel, subscriber.socketId);
    if (!removal) return { wasSubscribed: false, channelVacated: false, subscriptionCount: 0 };
    await this.local.leave(appId, channel, subscriber);
    this.versions.delete(socketKey(appId, channel, subscriber));
    if (removal.lastOfChannel) {
      this.#bus.feed.unfollow(channelKey(appId, channel));
      this.#bus.routes.touch(channelKey(appId, channel));
      this.views.delete(channelKey(appId, channel));
    }
    // Unannounced for now: the resync after the outage announces it, cluster-wide.
    const deferred = { wasSubscribed: true, channelVacated: false, subscriptionCount: 0 };
    if (!this.#health.up) {
      this.#sync.deferLeave(appId, channel, removal);
      return deferred;
    }
    const { keys } = this;
    let reply: [number, number, number, number];
    const key = channelKey(appId, channel);
    try {
      reply = await this.redis.pwLeave(
        keys.channel(appId, channel),
        keys.share(appId, channel, this.nodeId),
        channel,
        removal.userId,
      );
      // Issued before anything else can run, so a later join's index entry comes after it.
      const forget =
        reply[3] === 1 && !this.share.channels.has(key) && !this.#bus.routes.holding(key);
      if (forget) void this.indexes.removeShare(this.nodeId, appId, channel).catch(() => 0);
      if (reply[0] === 0) await this.indexes.vacated(appId, channel);
    } catch (error) {
      this.markDown(error);
      this.#sync.deferLeave(appId, channel, removal);
      return deferred;
    }
    const [subs, removed, version] = reply;
    // -1: this node's share was already reclaimed (and announced) by another node.
    if (subs < 0) return { wasSubscribed: true, channelVacated: false, subscriptionCount: 0 };
    return {
      wasSubscribed: true,
      channelVacated: subs <= 0,
      subscriptionCount: Math.max(0, subs),
      rosterVersion: version,
      ...(removed === 1 ? { memberRemoved: removal.userId } : {}),
    };
  }

  publish(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId?: string,
    rosterVersion = 0,
  ): void {
    // Redis unreachable: this node's sockets keep working among themselves.
    if (!this.#health.up) {
      this.local.deliverLocally(appId, channel, frame, exceptSocketId);
      return;
    }
    this.announce(appId, channel, frame, exceptSocketId, rosterVersion).catch((error: unknown) =>
      this.markDown(error),
    );
  }

  /** Sends one message to every node (this one from the bus echo), whatever the node's state. */
  announce(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId = '',
    rosterVersion = 0,
  ): Promise<void> {
    return this.#bus.announce(appId, channel, frame, exceptSocketId, rosterVersion);
  }

  async publishBatch(appId: string, publications: readonly Publication[]): Promise<void> {
    if (!this.#health.up) throw new AdapterUnavailableError();
    await this.#bus.publishBatch(appId, publications);
  }

  catchUp(): Promise<void> {
    return this.#bus.catchUp();
  }

  async signIn(appId: string, userId: string, subscriber: Subscriber) {
    if (!this.share.signIn(appId, userId, subscriber.socketId)) return { firstConnection: false };
    this.#bus.routes.touch(channelKey(appId, userRoute(userId)));
    await this.local.signIn(appId, userId, subscriber);
    return { firstConnection: await this.#sync.signedIn(appId, userId) };
  }

  async signOut(appId: string, userId: string, subscriber: Subscriber) {
    const out = this.share.signOut(appId, userId, subscriber.socketId);
    if (!out) return { lastConnection: false };
    if (out.last) this.#bus.routes.touch(channelKey(appId, userRoute(userId)));
    await this.local.signOut(appId, userId, subscriber);
    return { lastConnection: await this.#sync.signedOut(appId, userId, out.last) };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<string[]> {
    return this.#query(() => this.#reads.onlineUsers(appId, userIds));
  }

  async terminateUser(appId: string, userId: string, code: number, message: string) {
    const text = encodeTerminate(this.nodeId, appId, userId, code, message);
    await this.#query(() => this.#bus.terminate(text, appId, userId));
    this.local.terminateLocally(appId, userId, code, message);
  }

  channels(appId: string): Promise<Map<string, ChannelStats>> {
    return this.#query(() => this.#reads.channels(appId));
  }

  channel(appId: string, channel: string): Promise<ChannelStats | undefined> {
    return this.#query(() => this.#reads.channel(appId, channel));
  }

  members(appId: string, channel: string): Promise<string[]> {
    return this.#query(() => this.#reads.members(appId, channel));
  }

  member(appId: string, channel: string, userId: string): Promise<PresenceMember | undefined> {
    return this.#query(() => this.#reads.member(appId, channel, userId));
  }

  holdsRoute(key: string): boolean {
    return this.share.holdsRoute(key);
  }

  heldRoutes(): Iterable<string> {
    return this.share.routes();
  }

  /** Pub/sub channels this node is subscribed to (for tests and benches). */
  get routeCount(): number {
    return this.#bus.routes.size;
  }

  countConnection(appId: string, delta: 1 | -1): void {
    this.counts.count(appId, delta);
  }

  connectionCount(appId: string): Promise<number> {
    return this.#query(() => this.counts.total(appId));
  }

  /** CountAnnouncer (../cluster.ts): one announcer per busy channel, cluster-wide. */
  claimCountAnnouncement(appId: string, channel: string, intervalMs: number) {
    const { redis, keys, nodeId } = this;
    const claim = () => claimCountAnnouncement(redis, keys, nodeId, appId, channel, intervalMs);
    return this.#query(claim);
  }

  /** ConsoleLinked (../cluster.ts): the live console across nodes. */
  consoleLink(): RedisConsoleLink {
    this.#consoleLink ??= new RedisConsoleLink(this.#target, this.redis, this.keys, this.nodeId);
    return this.#consoleLink;
  }

  async setCache(appId: string, channel: string, event: string, data: string, ttl: number) {
    const value = JSON.stringify([event, data]);
    await this.#query(() => this.redis.set(this.keys.cache(appId, channel), value, 'EX', ttl));
  }

  getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.#query(() => this.#reads.cache(appId, channel));
  }

  notReady(): string | undefined {
    return this.#health.notReady() ?? this.#bus.notReady();
  }

  /** Leaves the cluster: this node's share of the state is taken back at once. */
  async close(): Promise<void> {
    const up = this.#health.up;
    this.#health.close();
    clearInterval(this.#heartbeat);
    try {
      if (up) await this.#sync.reclaim(this.nodeId);
    } finally {
      this.#consoleLink?.close();
      this.counts.close();
      this.#bus.close();
      this.redis.disconnect();
    }
  }

  /** Drops the connections without leaving the cluster, as a crash would (for tests). */
  abandon(): void {
    this.#health.close();
    clearInterval(this.#heartbeat);
    this.#consoleLink?.close();
    this.counts.close();
    this.#bus.close();
    this.redis.disconnect();
  }
}
