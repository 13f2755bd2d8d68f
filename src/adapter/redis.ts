/**
 * The Redis Adapter: several Pushwire nodes behind a load balancer act as one server.
 *
 * - Delivery: a publish is delivered to this node's sockets at once and sent to the other nodes
 *   over one Redis pub/sub channel; each node then delivers to its own sockets.
 * - Shared state (occupancy, presence rosters, signed-in users, cache) lives in Redis and is
 *   changed only by the atomic scripts in redis-scripts.ts.
 * - Liveness: each node refreshes a key with a TTL. A node that finds another's key expired takes
 *   back that node's share of the state and tells the survivors which members left.
 * The contract is the one in adapter.ts, checked by test/conformance/adapter.suite.ts.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ChannelEventSink } from '../channels/channel-events.ts';
import { channelKind, watchlistChannel } from '../protocol/channel-kind.ts';
import type { PresenceSnapshot } from '../protocol/frames.ts';
import { keyedByInput } from '../protocol/json.ts';
import { OutboundFrame, memberRemoved, watchlistEvents } from '../protocol/frames.ts';
import type {
  Adapter,
  CachedEvent,
  ChannelStats,
  JoinOutcome,
  LeaveOutcome,
  PresenceMember,
  Subscriber,
} from './adapter.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { LocalAdapter } from './local.ts';
import { JOIN, LEAVE, RECLAIM, SIGN } from './redis-scripts.ts';

export interface RedisAdapterOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /** Namespace of every key and of the pub/sub channel; nodes of one cluster share it. */
  readonly prefix: string;
  /** How often a node proves it is alive; it is presumed dead after three missed beats. */
  readonly heartbeatMs?: number;
  /** Connection and command failures; delivery is at most once, so they are reported, not thrown. */
  readonly onError?: (error: unknown) => void;
  /** Removals this node made on behalf of a dead node, for webhooks and metrics. */
  readonly onReclaim?: ChannelEventSink;
}

type Scripted = Redis & {
  pwJoin(...args: string[]): Promise<[number, number, string[]?]>;
  pwLeave(...args: string[]): Promise<[number, number]>;
  pwSign(...args: string[]): Promise<number>;
  pwReclaim(...args: string[]): Promise<string[]>;
};

const SEP = '\n';
/** How long a change in this node's connection counts waits before it is shared. */
const COUNTS_DELAY_MS = 1000;

export class RedisAdapter implements Adapter {
  readonly nodeId = randomUUID();
  readonly #local = new LocalAdapter();
  readonly #redis: Scripted;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #bus: string;
  readonly #heartbeatMs: number;
  /** Every (app, channel, socket) this node has joined, so a repeated join changes nothing. */
  readonly #joined = new Set<string>();
  /** Which presence user each local socket joined a channel as. */
  readonly #memberOf = new Map<string, string>();
  /** Local sockets signed in, as `app\nuser\nsocket`, so sign-out is counted once. */
  readonly #signedIn = new Set<string>();
  readonly #onError: (error: unknown) => void;
  readonly #onReclaim: ChannelEventSink;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Set while this node's connection counts wait to be shared (at most once a second). */
  #countsDue: NodeJS.Timeout | undefined;
  #beats = 0;

  private constructor(options: RedisAdapterOptions) {
    this.#prefix = options.prefix;
    this.#bus = `${options.prefix}:bus`;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#redis = new Redis(options.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
    }) as Scripted;
    this.#subscriber = new Redis(options.url, { lazyConnect: true });
    this.#onError = options.onError ?? (() => undefined);
    this.#onReclaim = options.onReclaim ?? (() => undefined);
    this.#redis.on('error', this.#onError);
    this.#subscriber.on('error', this.#onError);
    this.#redis.defineCommand('pwJoin', { numberOfKeys: 3, lua: JOIN });
    this.#redis.defineCommand('pwLeave', { numberOfKeys: 3, lua: LEAVE });
    this.#redis.defineCommand('pwSign', { numberOfKeys: 2, lua: SIGN });
    this.#redis.defineCommand('pwReclaim', { numberOfKeys: 1, lua: RECLAIM });
  }

  /** Connects both Redis connections and joins the cluster. */
  static async connect(options: RedisAdapterOptions): Promise<RedisAdapter> {
    const adapter = new RedisAdapter(options);
    await adapter.#redis.connect();
    await adapter.#subscriber.connect();
    adapter.#subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) =>
      adapter.#onBusMessage(message),
    );
    await adapter.#subscriber.subscribe(adapter.#bus);
    await adapter.#beat();
    adapter.#heartbeat = setInterval(
      () => void adapter.#beat().catch(adapter.#onError),
      adapter.#heartbeatMs,
    );
    adapter.#heartbeat.unref();
    return adapter;
  }

  #key(appId: string, ...parts: string[]): string {
    return [this.#prefix, appId, ...parts].join(':');
  }

  #own(): string {
    return `${this.#prefix}:own:${this.nodeId}`;
  }

  #connectionsKey(node: string): string {
    return `${this.#prefix}:conns:${node}`;
  }

  async join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): Promise<JoinOutcome> {
    if (this.#joined.has(socketKey(appId, channel, subscriber)))
      return this.#rejoin(appId, channel);
    const userId = member?.userId ?? '';
    const info = member?.userInfo === undefined ? '' : JSON.stringify(member.userInfo);
    const [subs, added, roster] = await this.#redis.pwJoin(
      this.#key(appId, 'ch', channel),
      this.#key(appId, 'channels'),
      this.#own(),
      channel,
      userId,
      info,
      String(maxMembers ?? 0),
      JSON.stringify(['c', appId, channel, userId]),
    );
    if (subs < 0) return { ok: false, reason: 'presence-full' };
    await this.#local.join(appId, channel, subscriber);
    this.#joined.add(socketKey(appId, channel, subscriber));
    if (member) this.#memberOf.set(socketKey(appId, channel, subscriber), member.userId);
    return {
      ok: true,
      channelOccupied: subs === 1,
      memberAdded: added === 1,
      subscriptionCount: subs,
      ...(roster ? { presence: rosterOf(roster) } : {}),
    };
  }

  /** A repeated join: nothing changes, and the outcome describes the channel as it is. */
  async #rejoin(appId: string, channel: string): Promise<JoinOutcome> {
    const fields = await this.#redis.hgetall(this.#key(appId, 'ch', channel));
    const flat = Object.entries(fields).flat();
    return {
      ok: true,
      channelOccupied: false,
      memberAdded: false,
      subscriptionCount: Number(fields.subs ?? 0),
      ...(channelKind(channel).isPresence ? { presence: rosterOf(flat) } : {}),
    };
  }

  async leave(appId: string, channel: string, subscriber: Subscriber): Promise<LeaveOutcome> {
    const local = await this.#local.leave(appId, channel, subscriber);
    if (!local.wasSubscribed)
      return { wasSubscribed: false, channelVacated: false, subscriptionCount: 0 };
    const key = socketKey(appId, channel, subscriber);
    const userId = this.#memberOf.get(key) ?? '';
    this.#memberOf.delete(key);
    this.#joined.delete(key);
    const [subs, removed] = await this.#redis.pwLeave(
      this.#key(appId, 'ch', channel),
      this.#key(appId, 'channels'),
      this.#own(),
      channel,
      userId,
      JSON.stringify(['c', appId, channel, userId]),
    );
    // -1: this node's share was already reclaimed, so the shared state no longer counts it.
    if (subs < 0) return { wasSubscribed: true, channelVacated: false, subscriptionCount: 0 };
    return {
      wasSubscribed: true,
      channelVacated: subs <= 0,
      subscriptionCount: Math.max(0, subs),
      ...(removed === 1 ? { memberRemoved: userId } : {}),
    };
  }

  publish(appId: string, channel: string, frame: OutboundFrame, exceptSocketId?: string): void {
    this.#local.deliverLocally(appId, channel, frame, exceptSocketId);
    const message = ['d', this.nodeId, appId, channel, exceptSocketId ?? '', frame.text].join(SEP);
    this.#redis.publish(this.#bus, message).catch(this.#onError);
  }

  async signIn(appId: string, userId: string, subscriber: Subscriber) {
    const key = [appId, userId, subscriber.socketId].join(SEP);
    if (this.#signedIn.has(key)) return { firstConnection: false };
    this.#signedIn.add(key);
    await this.#local.signIn(appId, userId, subscriber);
    const count = await this.#sign(appId, userId, 1);
    return { firstConnection: count === 1 };
  }

  async signOut(appId: string, userId: string, subscriber: Subscriber) {
    if (!this.#signedIn.delete([appId, userId, subscriber.socketId].join(SEP)))
      return { lastConnection: false };
    await this.#local.signOut(appId, userId, subscriber);
    const count = await this.#sign(appId, userId, -1);
    // -1: already reclaimed (and announced offline by the reclaiming node).
    return { lastConnection: count === 0 };
  }

  #sign(appId: string, userId: string, delta: 1 | -1): Promise<number> {
    return this.#redis.pwSign(
      this.#key(appId, 'users'),
      this.#own(),
      userId,
      JSON.stringify(['u', appId, userId]),
      String(delta),
    );
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const counts = await this.#redis.hmget(this.#key(appId, 'users'), ...userIds);
    return userIds.filter((_id, i) => Number(counts[i] ?? 0) > 0);
  }

  terminateUser(appId: string, userId: string, code: number, message: string): void {
    this.#local.terminateUser(appId, userId, code, message);
    const bus = ['t', this.nodeId, appId, userId, String(code), message].join(SEP);
    this.#redis.publish(this.#bus, bus).catch(this.#onError);
  }

  async channels(appId: string): Promise<Map<string, ChannelStats>> {
    const names = await this.#redis.smembers(this.#key(appId, 'channels'));
    const pipeline = this.#redis.pipeline();
    for (const name of names) pipeline.hmget(this.#key(appId, 'ch', name), 'subs', 'members');
    const rows = (await pipeline.exec()) ?? [];
    const result = new Map<string, ChannelStats>();
    names.forEach((name, i) => {
      const stats = statsOf(name, rows[i]?.[1] as Array<string | null> | undefined);
      if (stats) result.set(name, stats);
    });
    return result;
  }

  async channel(appId: string, channel: string): Promise<ChannelStats | undefined> {
    return statsOf(
      channel,
      await this.#redis.hmget(this.#key(appId, 'ch', channel), 'subs', 'members'),
    );
  }

  async members(appId: string, channel: string): Promise<string[]> {
    const fields = await this.#redis.hkeys(this.#key(appId, 'ch', channel));
    return fields.filter((f) => f.startsWith('i:')).map((f) => f.slice(2));
  }

  async member(
    appId: string,
    channel: string,
    userId: string,
  ): Promise<PresenceMember | undefined> {
    const info = await this.#redis.hget(this.#key(appId, 'ch', channel), `i:${userId}`);
    if (info === null) return undefined;
    return { userId, userInfo: info === '' ? null : (JSON.parse(info) as unknown) };
  }

  countConnection(appId: string, delta: 1 | -1): void {
    this.#local.countConnection(appId, delta);
    if (this.#countsDue) return;
    this.#countsDue = setTimeout(() => {
      this.#countsDue = undefined;
      this.#shareConnections().catch(this.#onError);
    }, COUNTS_DELAY_MS);
    this.#countsDue.unref();
  }

  /** This node's counts, whole: one hash per node, which expires with the node's liveness. */
  async #shareConnections(): Promise<void> {
    const key = this.#connectionsKey(this.nodeId);
    const counts = [...this.#local.allConnections()].flatMap(([app, n]) => [app, String(n)]);
    const multi = this.#redis.multi().del(key);
    if (counts.length > 0) multi.hset(key, ...counts).expire(key, this.#livenessSeconds());
    await multi.exec();
  }

  async connectionCount(appId: string): Promise<number> {
    const nodes = (await this.#redis.smembers(`${this.#prefix}:nodes`)).filter(
      (node) => node !== this.nodeId,
    );
    const pipeline = this.#redis.pipeline();
    for (const node of nodes) pipeline.hget(this.#connectionsKey(node), appId);
    const rows = nodes.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const others = rows.reduce((sum, [, value]) => sum + (Number(value) || 0), 0);
    return this.#local.localConnections(appId) + others;
  }

  #livenessSeconds(): number {
    return Math.ceil((this.#heartbeatMs * 3) / 1000);
  }

  async setCache(
    appId: string,
    channel: string,
    event: string,
    data: string,
    ttlSeconds: number,
  ): Promise<void> {
    await this.#redis.set(
      this.#key(appId, 'cache', channel),
      JSON.stringify([event, data]),
      'EX',
      ttlSeconds,
    );
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const key = this.#key(appId, 'cache', channel);
    const [[, value], [, ttl]] = ((await this.#redis.multi().get(key).ttl(key).exec()) ?? []) as [
      [unknown, string | null],
      [unknown, number],
    ];
    if (value === null || ttl <= 0) return undefined;
    const [event, data] = JSON.parse(value) as [string, string];
    return { event, data, ttlSeconds: ttl };
  }

  /** Leaves the cluster: this node's share of the state is taken back at once. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#countsDue);
    try {
      await this.#reclaim(this.nodeId);
      await this.#redis.del(this.#connectionsKey(this.nodeId));
      await this.#redis.del(`${this.#prefix}:alive:${this.nodeId}`);
      await this.#redis.srem(`${this.#prefix}:nodes`, this.nodeId);
    } finally {
      this.#subscriber.disconnect();
      this.#redis.disconnect();
    }
  }

  /** Drops the connections without leaving the cluster, as a crash would (for tests). */
  abandon(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#countsDue);
    this.#subscriber.disconnect();
    this.#redis.disconnect();
  }

  /** Proves this node alive, and reclaims the share of any node that stopped doing so. */
  async #beat(): Promise<void> {
    const ttl = this.#livenessSeconds();
    const alive = `${this.#prefix}:alive:${this.nodeId}`;
    const previous = await this.#redis.call('SET', alive, '1', 'EX', String(ttl), 'GET');
    if (previous === null && this.#beats > 0) {
      // Presumed dead (a long stall or a Redis outage): another node has taken back this node's
      // share. Its clients reconnect now and rebuild the state from scratch.
      this.#onError(
        new Error('this node was presumed dead by the cluster; reconnecting its clients'),
      );
      this.#local.disconnectAll(ErrorCode.ReconnectNow, 'Server rejoined its cluster: reconnect');
    }
    this.#beats++;
    await this.#redis.sadd(`${this.#prefix}:nodes`, this.nodeId);
    // Written whole each beat too: it keeps the hash alive, and restores it after an outage.
    await this.#shareConnections();
    for (const node of await this.#redis.smembers(`${this.#prefix}:nodes`)) {
      if (node === this.nodeId) continue;
      if (await this.#redis.exists(`${this.#prefix}:alive:${node}`)) continue;
      await this.#reclaim(node);
      await this.#redis.del(this.#connectionsKey(node));
      await this.#redis.srem(`${this.#prefix}:nodes`, node);
    }
  }

  async #reclaim(node: string): Promise<void> {
    const out = await this.#redis.pwReclaim(`${this.#prefix}:own:${node}`, this.#prefix);
    for (let i = 0; i < out.length;) {
      const kind = out[i];
      if (kind === 'm') {
        const [appId, channel, userId] = [out[i + 1]!, out[i + 2]!, out[i + 3]!];
        this.publish(appId, channel, memberRemoved(channel, userId));
        this.#onReclaim({ name: 'member_removed', appId, channel, userId });
        i += 4;
      } else if (kind === 'v') {
        const [appId, channel] = [out[i + 1]!, out[i + 2]!];
        if (!channelKind(channel).isInternal)
          this.#onReclaim({ name: 'channel_vacated', appId, channel });
        i += 3;
      } else {
        const [appId, userId] = [out[i + 1]!, out[i + 2]!];
        const offline = watchlistEvents([{ name: 'offline', user_ids: [userId] }]);
        this.publish(appId, watchlistChannel(userId), offline);
        i += 3;
      }
    }
  }

  #onBusMessage(message: Buffer): void {
    const text = message.toString('utf8');
    const fields = splitFields(text, 5);
    if (fields[1] === this.nodeId) return;
    if (fields[0] === 'd') {
      const [, , appId, channel, except, frameText] = fields;
      if (appId === undefined || channel === undefined || frameText === undefined) return;
      this.#local.deliverLocally(appId, channel, new OutboundFrame(frameText), except || undefined);
    } else if (fields[0] === 't') {
      const [, , appId, userId, code, reason] = fields;
      if (appId === undefined || userId === undefined) return;
      this.#local.terminateUser(appId, userId, Number(code), reason ?? '');
    }
  }
}

const socketKey = (appId: string, channel: string, subscriber: Subscriber) =>
  `${appId}${SEP}${channel}${SEP}${subscriber.socketId}`;

/** Splits on the first `count` separators; the last field keeps any separators it contains. */
function splitFields(text: string, count: number): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf(SEP, start);
    if (end < 0) break;
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  fields.push(text.slice(start));
  return fields;
}

function statsOf(channel: string, row: Array<string | null> | undefined): ChannelStats | undefined {
  const subs = Number(row?.[0] ?? 0);
  if (subs <= 0) return undefined;
  return channelKind(channel).isPresence
    ? { subscriptionCount: subs, userCount: Number(row?.[1] ?? 0) }
    : { subscriptionCount: subs };
}

function rosterOf(flat: string[]): PresenceSnapshot {
  const ids: string[] = [];
  const hash = keyedByInput<unknown>();
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i]!;
    if (!field.startsWith('i:')) continue;
    const id = field.slice(2);
    const info = flat[i + 1] ?? '';
    ids.push(id);
    hash[id] = info === '' ? null : (JSON.parse(info) as unknown);
  }
  return { ids, hash, count: ids.length };
}
