/**
 * An Adapter around the real one that lets a test see and bend what passes through it: every
 * published event (API and client events alike), who is in which channel, and failures on
 * demand (refuse the next subscription, delay events). Everything else is the inner adapter's.
 */
import type {
  Adapter,
  JoinOutcome,
  LeaveOutcome,
  PresenceMember,
  Publication,
  Subscriber,
} from '../adapter/adapter.ts';
import { OutboundFrame } from '../protocol/frames.ts';

/** An event as subscribers receive it. `data` is parsed when it is a JSON string. */
export interface PublishedEvent {
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** Set on client events in presence channels: the sender. */
  readonly userId?: string;
}

export interface ChannelMember {
  readonly id: string;
  readonly info: unknown;
}

interface Refusal {
  readonly channel: string | undefined;
  readonly status: number;
}

export class ObservedAdapter implements Adapter {
  readonly events: PublishedEvent[] = [];
  /** channel → socket id → presence member (undefined outside presence channels). */
  readonly #subscribers = new Map<string, Map<string, PresenceMember | undefined>>();
  readonly #refusals: Refusal[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #delayMs = 0;

  constructor(private readonly inner: Adapter) {}

  /** Events published from now on reach subscribers `ms` later (0 restores). */
  delayEvents(ms: number): void {
    this.#delayMs = ms;
  }

  /** The next subscription (to `channel`, or to any channel) fails. */
  refuseNextSubscription(channel: string | undefined, status: number): void {
    this.#refusals.push({ channel, status });
  }

  /** Forgets the recorded events and pending failures. */
  clear(): void {
    this.events.length = 0;
    this.#refusals.length = 0;
    this.#delayMs = 0;
  }

  /** Channels with subscribers: socket ids, and the distinct members of presence channels. */
  snapshot(): Map<string, { sockets: string[]; members: ChannelMember[] }> {
    const result = new Map<string, { sockets: string[]; members: ChannelMember[] }>();
    for (const [channel, sockets] of this.#subscribers) {
      if (channel.startsWith('#') || sockets.size === 0) continue;
      const members = new Map<string, ChannelMember>();
      for (const member of sockets.values()) {
        if (member && !members.has(member.userId)) {
          members.set(member.userId, { id: member.userId, info: member.userInfo });
        }
      }
      result.set(channel, { sockets: [...sockets.keys()], members: [...members.values()] });
    }
    return result;
  }

  /** The sockets in any presence channel as `userId`. */
  socketsOfMember(userId: string): Set<string> {
    const sockets = new Set<string>();
    for (const members of this.#subscribers.values()) {
      for (const [socketId, member] of members)
        if (member?.userId === userId) sockets.add(socketId);
    }
    return sockets;
  }

  async join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): Promise<JoinOutcome> {
    const index = channel.startsWith('#')
      ? -1
      : this.#refusals.findIndex((r) => r.channel === undefined || r.channel === channel);
    const refusal = this.#refusals[index];
    if (refusal) {
      this.#refusals.splice(index, 1);
      // The soketi-style frame: pusher-js hands it to the channel's subscription_error listeners.
      subscriber.deliver(
        new OutboundFrame(
          JSON.stringify({
            event: 'pusher:subscription_error',
            channel,
            data: {
              type: 'AuthError',
              error: 'Refused by the test server',
              status: refusal.status,
            },
          }),
        ),
      );
      throw new Error(`subscription to ${channel} refused by the test server`);
    }
    const outcome = await this.inner.join(appId, channel, subscriber, member, maxMembers);
    if (outcome.ok) {
      let sockets = this.#subscribers.get(channel);
      if (!sockets) this.#subscribers.set(channel, (sockets = new Map()));
      sockets.set(subscriber.socketId, member);
    }
    return outcome;
  }

  async leave(appId: string, channel: string, subscriber: Subscriber): Promise<LeaveOutcome> {
    const outcome = await this.inner.leave(appId, channel, subscriber);
    const sockets = this.#subscribers.get(channel);
    sockets?.delete(subscriber.socketId);
    if (sockets?.size === 0) this.#subscribers.delete(channel);
    return outcome;
  }

  publish(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId?: string,
    rosterVersion?: number,
  ): void {
    this.#record(channel, frame);
    if (this.#delayMs === 0)
      return this.inner.publish(appId, channel, frame, exceptSocketId, rosterVersion);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.inner.publish(appId, channel, frame, exceptSocketId, rosterVersion);
    }, this.#delayMs);
    this.#timers.add(timer);
  }

  async publishBatch(appId: string, publications: readonly Publication[]): Promise<void> {
    for (const { channel, frame } of publications) this.#record(channel, frame);
    if (this.#delayMs === 0) return this.inner.publishBatch(appId, publications);
    // Delayed like publish: the caller is answered at once, subscribers get it later.
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.inner.publishBatch(appId, publications).catch(() => undefined);
    }, this.#delayMs);
    this.#timers.add(timer);
  }

  #record(channel: string, frame: OutboundFrame): void {
    if (channel.startsWith('#')) return;
    const parsed = JSON.parse(frame.text) as { event: string; data?: unknown; user_id?: string };
    let data = parsed.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        // Not JSON: kept as the string it is.
      }
    }
    this.events.push({
      channel,
      event: parsed.event,
      data,
      ...(parsed.user_id === undefined ? {} : { userId: parsed.user_id }),
    });
  }

  signIn(appId: string, userId: string, subscriber: Subscriber) {
    return this.inner.signIn(appId, userId, subscriber);
  }
  signOut(appId: string, userId: string, subscriber: Subscriber) {
    return this.inner.signOut(appId, userId, subscriber);
  }
  onlineUsers(appId: string, userIds: readonly string[]) {
    return this.inner.onlineUsers(appId, userIds);
  }
  terminateUser(appId: string, userId: string, code: number, message: string) {
    return this.inner.terminateUser(appId, userId, code, message);
  }
  channels(appId: string) {
    return this.inner.channels(appId);
  }
  channel(appId: string, channel: string) {
    return this.inner.channel(appId, channel);
  }
  members(appId: string, channel: string) {
    return this.inner.members(appId, channel);
  }
  member(appId: string, channel: string, userId: string) {
    return this.inner.member(appId, channel, userId);
  }
  countConnection(appId: string, delta: 1 | -1) {
    this.inner.countConnection(appId, delta);
  }
  connectionCount(appId: string) {
    return this.inner.connectionCount(appId);
  }
  setCache(appId: string, channel: string, event: string, data: string, ttlSeconds: number) {
    return this.inner.setCache(appId, channel, event, data, ttlSeconds);
  }
  getCache(appId: string, channel: string) {
    return this.inner.getCache(appId, channel);
  }

  notReady() {
    return this.inner.notReady();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.inner.close();
  }
}
