/** The in-memory Adapter for a single node: the default. See adapter.ts for the contract. */
import { ChannelRegistry } from '../channels/registry.ts';
import type { OutboundFrame } from '../protocol/frames.ts';
import type {
  Adapter,
  CachedEvent,
  ChannelStats,
  JoinOutcome,
  LeaveOutcome,
  PresenceMember,
  Publication,
  Subscriber,
} from './adapter.ts';

export class LocalAdapter implements Adapter {
  readonly #registry = new ChannelRegistry();
  readonly #connections = new Map<string, number>();
  readonly #now: () => number;
  #lastCacheSweep = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): Promise<JoinOutcome> {
    return this.joinAtOnce(appId, channel, subscriber, member, maxMembers);
  }

  /** A property, so that a subclass standing for a slower adapter can leave it undefined. */
  readonly joinNow: Adapter['joinNow'] = (appId, channel, subscriber, member, maxMembers) =>
    this.joinAtOnce(appId, channel, subscriber, member, maxMembers);

  /** The join both `join` and `joinNow` make. */
  protected joinAtOnce(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): JoinOutcome {
    return this.#registry.join(appId, channel, subscriber, member, maxMembers);
  }

  async leave(appId: string, channel: string, subscriber: Subscriber): Promise<LeaveOutcome> {
    return this.#registry.leave(appId, channel, subscriber);
  }

  publish(appId: string, channel: string, frame: OutboundFrame, exceptSocketId?: string): void {
    this.deliverLocally(appId, channel, frame, exceptSocketId);
  }

  async publishBatch(appId: string, publications: readonly Publication[]): Promise<void> {
    for (const { channel, frame, exceptSocketId, cache } of publications) {
      // Cached first, so a subscriber joining meanwhile gets it live or on replay, never neither.
      if (cache) await this.setCache(appId, channel, cache.event, cache.data, cache.ttlSeconds);
      this.deliverLocally(appId, channel, frame, exceptSocketId);
    }
  }

  /** Delivers to this node's subscribers only; a cluster adapter calls it for remote publishes. */
  deliverLocally(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId?: string,
    skip?: (subscriber: Subscriber) => boolean,
  ): number {
    const subscribers = this.#registry.subscribers(appId, channel);
    if (!subscribers) return 0;
    let delivered = 0;
    for (const subscriber of subscribers.values()) {
      if (subscriber.socketId === exceptSocketId || skip?.(subscriber)) continue;
      subscriber.deliver(frame);
      delivered++;
    }
    return delivered;
  }

  async signIn(appId: string, userId: string, subscriber: Subscriber) {
    return { firstConnection: this.#registry.signIn(appId, userId, subscriber) };
  }

  async signOut(appId: string, userId: string, subscriber: Subscriber) {
    return { lastConnection: this.#registry.signOut(appId, userId, subscriber) };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<string[]> {
    return userIds.filter((id) => this.#registry.isOnline(appId, id));
  }

  async terminateUser(appId: string, userId: string, code: number, message: string) {
    this.terminateLocally(appId, userId, code, message);
  }

  terminateLocally(appId: string, userId: string, code: number, message: string): void {
    for (const subscriber of this.#registry.userSockets(appId, userId)) {
      subscriber.disconnect(code, message);
    }
  }

  async channels(appId: string): Promise<Map<string, ChannelStats>> {
    const result = new Map<string, ChannelStats>();
    for (const name of this.#registry.channelNames(appId)) {
      const stats = this.#registry.stats(appId, name);
      if (stats) result.set(name, stats);
    }
    return result;
  }

  async channel(appId: string, channel: string): Promise<ChannelStats | undefined> {
    return this.#registry.stats(appId, channel);
  }

  async members(appId: string, channel: string): Promise<string[]> {
    return this.#registry.memberIds(appId, channel);
  }

  async member(
    appId: string,
    channel: string,
    userId: string,
  ): Promise<PresenceMember | undefined> {
    return this.#registry.member(appId, channel, userId);
  }

  countConnection(appId: string, delta: 1 | -1): void {
    const count = (this.#connections.get(appId) ?? 0) + delta;
    if (count > 0) this.#connections.set(appId, count);
    else this.#connections.delete(appId);
  }

  async connectionCount(appId: string): Promise<number> {
    return this.localConnections(appId);
  }

  /** This node's open connections of `appId`. */
  localConnections(appId: string): number {
    return this.#connections.get(appId) ?? 0;
  }

  /** Every app with open connections on this node, with its count. */
  allConnections(): ReadonlyMap<string, number> {
    return this.#connections;
  }

  async setCache(
    appId: string,
    channel: string,
    event: string,
    data: string,
    ttlSeconds: number,
  ): Promise<void> {
    const now = this.#now();
    if (now - this.#lastCacheSweep > 60_000) {
      this.#lastCacheSweep = now;
      this.#registry.sweepCache(now);
    }
    this.#registry.setCache(appId, channel, event, data, now + ttlSeconds * 1000);
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.#registry.getCache(appId, channel, this.#now());
  }

  notReady(): string | undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
