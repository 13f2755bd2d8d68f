/**
 * One node's channel, presence, sign-in and cache state for every app. Pure data-structure
 * logic: no sockets, no timers (time comes in as arguments). The LocalAdapter is built on it.
 */
import type {
  CachedEvent,
  ChannelStats,
  JoinOutcome,
  LeaveOutcome,
  PresenceMember,
  Subscriber,
} from '../adapter/adapter.ts';
import { PresenceRoster, rosterEntry, type RosterEntry } from './presence-roster.ts';

interface Member extends RosterEntry {
  readonly info: unknown;
  /** How many of the channel's sockets joined as this user (`memberOf` says which). */
  sockets: number;
}

interface ChannelState {
  readonly subscribers: Map<string, Subscriber>;
  /** Presence channels only, keyed by user id. */
  members?: Map<string, Member>;
  /** Which user each presence socket joined as. */
  memberOf?: Map<string, string>;
}

interface AppState {
  readonly channels: Map<string, ChannelState>;
  readonly users: Map<string, Map<string, Subscriber>>;
  readonly cache: Map<string, { event: string; data: string; expiresAt: number }>;
}

export class ChannelRegistry {
  readonly #apps = new Map<string, AppState>();

  #app(appId: string): AppState {
    let app = this.#apps.get(appId);
    if (!app) {
      app = { channels: new Map(), users: new Map(), cache: new Map() };
      this.#apps.set(appId, app);
    }
    return app;
  }

  join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers = Infinity,
  ): JoinOutcome {
    const channels = this.#app(appId).channels;
    let state = channels.get(channel);
    const existing = state?.subscribers.get(subscriber.socketId);
    if (state && existing) return joined(channel, state, false, false);
    if (
      member &&
      state?.members &&
      !state.members.has(member.userId) &&
      state.members.size >= maxMembers
    ) {
      return { ok: false, reason: 'presence-full' };
    }
    const channelOccupied = !state;
    if (!state) {
      state = { subscribers: new Map() };
      channels.set(channel, state);
    }
    state.subscribers.set(subscriber.socketId, subscriber);
    let memberAdded = false;
    if (member) {
      state.members ??= new Map();
      state.memberOf ??= new Map();
      let entry = state.members.get(member.userId);
      if (!entry) {
        // [U] A second socket of a known user keeps the first socket's user_info (§5.5).
        const text = rosterEntry(member.userId, member.userInfo, member.userInfoJson);
        entry = { info: member.userInfo, sockets: 0, ...text };
        state.members.set(member.userId, entry);
        memberAdded = true;
      }
      // A count, not a set of ids: a socket joins once (see above), and most users have one.
      entry.sockets++;
      state.memberOf.set(subscriber.socketId, member.userId);
    }
    return joined(channel, state, channelOccupied, memberAdded);
  }

  leave(appId: string, channel: string, subscriber: Subscriber): LeaveOutcome {
    const channels = this.#app(appId).channels;
    const state = channels.get(channel);
    if (!state || !state.subscribers.delete(subscriber.socketId)) {
      return {
        wasSubscribed: false,
        channelVacated: false,
        subscriptionCount: state?.subscribers.size ?? 0,
      };
    }
    let memberRemoved: string | undefined;
    const userId = state.memberOf?.get(subscriber.socketId);
    if (userId !== undefined && state.members && state.memberOf) {
      state.memberOf.delete(subscriber.socketId);
      const entry = state.members.get(userId);
      if (entry && --entry.sockets === 0) {
        state.members.delete(userId);
        memberRemoved = userId;
      }
    }
    const channelVacated = state.subscribers.size === 0;
    if (channelVacated) channels.delete(channel);
    return {
      wasSubscribed: true,
      channelVacated,
      subscriptionCount: state.subscribers.size,
      ...(memberRemoved === undefined ? {} : { memberRemoved }),
    };
  }

  /** The live subscriber map of a channel, for delivery; undefined when unoccupied. */
  subscribers(appId: string, channel: string): ReadonlyMap<string, Subscriber> | undefined {
    return this.#apps.get(appId)?.channels.get(channel)?.subscribers;
  }

  signIn(appId: string, userId: string, subscriber: Subscriber): boolean {
    const users = this.#app(appId).users;
    let sockets = users.get(userId);
    const firstConnection = !sockets;
    if (!sockets) {
      sockets = new Map();
      users.set(userId, sockets);
    }
    sockets.set(subscriber.socketId, subscriber);
    return firstConnection;
  }

  signOut(appId: string, userId: string, subscriber: Subscriber): boolean {
    const users = this.#apps.get(appId)?.users;
    const sockets = users?.get(userId);
    if (!users || !sockets || !sockets.delete(subscriber.socketId)) return false;
    if (sockets.size > 0) return false;
    users.delete(userId);
    return true;
  }

  userSockets(appId: string, userId: string): Subscriber[] {
    return [...(this.#apps.get(appId)?.users.get(userId)?.values() ?? [])];
  }

  /** Every subscriber known here, once each. */
  allSubscribers(): Set<Subscriber> {
    const all = new Set<Subscriber>();
    for (const app of this.#apps.values()) {
      for (const channel of app.channels.values())
        for (const s of channel.subscribers.values()) all.add(s);
      for (const sockets of app.users.values()) for (const s of sockets.values()) all.add(s);
    }
    return all;
  }

  isOnline(appId: string, userId: string): boolean {
    return this.#apps.get(appId)?.users.has(userId) ?? false;
  }

  stats(appId: string, channel: string): ChannelStats | undefined {
    const state = this.#apps.get(appId)?.channels.get(channel);
    if (!state) return undefined;
    return state.members
      ? { subscriptionCount: state.subscribers.size, userCount: state.members.size }
      : { subscriptionCount: state.subscribers.size };
  }

  channelNames(appId: string): string[] {
    return [...(this.#apps.get(appId)?.channels.keys() ?? [])];
  }

  member(appId: string, channel: string, userId: string): PresenceMember | undefined {
    const entry = this.#apps.get(appId)?.channels.get(channel)?.members?.get(userId);
    return entry ? { userId, userInfo: entry.info === undefined ? null : entry.info } : undefined;
  }

  memberIds(appId: string, channel: string): string[] {
    return [...(this.#apps.get(appId)?.channels.get(channel)?.members?.keys() ?? [])];
  }

  setCache(appId: string, channel: string, event: string, data: string, expiresAt: number): void {
    this.#app(appId).cache.set(channel, { event, data, expiresAt });
  }

  getCache(appId: string, channel: string, now: number): CachedEvent | undefined {
    const cache = this.#apps.get(appId)?.cache;
    const entry = cache?.get(channel);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      cache?.delete(channel);
      return undefined;
    }
    return {
      event: entry.event,
      data: entry.data,
      ttlSeconds: Math.ceil((entry.expiresAt - now) / 1000),
    };
  }

  /** Drops expired cache entries so idle cache channels do not hold memory forever. */
  sweepCache(now: number): void {
    for (const app of this.#apps.values()) {
      for (const [channel, entry] of app.cache)
        if (entry.expiresAt <= now) app.cache.delete(channel);
    }
  }
}

function joined(
  channel: string,
  state: ChannelState,
  channelOccupied: boolean,
  memberAdded: boolean,
): JoinOutcome {
  const subscriptionCount = state.subscribers.size;
  if (!state.members) return { ok: true, channelOccupied, memberAdded, subscriptionCount };
  // Not kept for the next join: the members change at almost every join, and a kept frame
  // (its text and wire bytes) would cost every presence channel memory while idle.
  const presence = new PresenceRoster(channel, state.members);
  return { ok: true, channelOccupied, memberAdded, subscriptionCount, presence };
}
