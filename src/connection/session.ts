/**
 * One client connection: the protocol state machine of docs/protocol.md §1-§10 over a Transport and
 * a Clock. It owns the socket's subscriptions, sign-in and keep-alive state; shared state lives
 * behind the Adapter. `receive` never throws: a bad frame gets a `pusher:error`, never a crash.
 */
import type { Adapter, JoinOutcome, PresenceMember, Subscriber } from '../adapter/adapter.ts';
import type { ChannelEventSink } from '../channels/channel-events.ts';
import { announceCount, type SubscriptionCountThrottle } from '../channels/count-throttle.ts';
import type { AppConfig, Config } from '../config/schema.ts';
import { AdapterUnavailableError } from '../errors.ts';
import { maskSignatures, type ConsoleHub } from '../console/hub.ts';
import { channelKind, watchlistChannel, type ChannelKind } from '../protocol/channel-kind.ts';
import { ErrorCode, isCloseCode } from '../protocol/codes.ts';
import * as frames from '../protocol/frames.ts';
import { channelNameProblem } from '../protocol/names.ts';
import { authorizeSubscription, type SignedInUser } from './authorize.ts';
import { checkClientEvent, smallFrame } from './client-event.ts';
import { TokenBucket } from './rate-limit.ts';
import { MAX_WATCHLIST, signIn, type SignInContext } from './signin.ts';
import type { Clock, Transport } from './transport.ts';

export type SessionLimits = Pick<
  Config,
  | 'activityTimeoutSeconds'
  | 'pongTimeoutSeconds'
  | 'maxChannelNameLength'
  | 'maxEventNameLength'
  | 'maxChannelsPerConnection'
>;

export interface SessionDeps {
  /**
   * Read at each use, not copied: the endpoint replaces it when a dynamic app store changes the
   * app. Only the client-event rate is fixed when the session opens.
   */
  readonly app: AppConfig;
  readonly limits: SessionLimits;
  readonly adapter: Adapter;
  readonly clock: Clock;
  readonly events: ChannelEventSink;
  /** Shared by the sessions of a node; without it every count change is announced. */
  readonly countThrottle?: SubscriptionCountThrottle;
  /** Called with errors that escaped a handler, after the client got a generic error. */
  readonly onInternalError?: (error: unknown) => void;
  /** The live console: told of each subscription, unsubscription and refusal while watched. */
  readonly console?: Pick<ConsoleHub, 'watching' | 'publish'>;
  /**
   * Called with each `pusher:error` that answers a client's frame (its mistake, mostly), with
   * the channel it was about when there is one. `message` is as the client was told it.
   */
  readonly onRefusal?: (
    socketId: string,
    code: number | null,
    message: string,
    channel: string | undefined,
  ) => void;
  /** Told what a newcomer needs to see to follow a connection (the debug log), when set. */
  readonly trace?: (socketId: string, entry: SessionTrace) => void;
  /** Shared by a node's sessions: what the traffic summary needs from inside a session. */
  readonly counts?: SessionCounts;
}

/** What a session did, for the debug log (refusals go to `onRefusal`). */
export type SessionTrace =
  | { readonly kind: 'subscribed'; readonly channel: string }
  | { readonly kind: 'unsubscribed'; readonly channel: string }
  | { readonly kind: 'signed_in'; readonly userId: string }
  | { readonly kind: 'closed'; readonly code: number; readonly reason: string };

export interface SessionCounts {
  /** `pusher:ping` and `pusher:pong` frames received, and sent. */
  keepAliveIn: number;
  keepAliveOut: number;
  /** `pusher:error` frames sent for a refusal or a bad frame. */
  errors: number;
}

type SubscriptionState = { state: 'pending' } | { state: 'subscribed'; userId?: string };

/** Shared by every subscription without a presence user: a subscription holds nothing of its own. */
const SUBSCRIBED: SubscriptionState = Object.freeze({ state: 'subscribed' });
const NOT_WATCHING: readonly string[] = Object.freeze([]);
const NO_CHANNELS: ReadonlyMap<string, SubscriptionState> = new Map();

type Joined = Extract<JoinOutcome, { ok: true }>;

export class Session implements Subscriber {
  /** Made on the first subscribe: an idle connection holds no map. */
  #channels: Map<string, SubscriptionState> | undefined;
  /**
   * Per-channel chain of adapter work, so a join and the leave that undoes it never overlap.
   * Made on first use: with an adapter that joins at once most connections never need it.
   */
  #work: Map<string, Promise<void>> | undefined;
  /** Made on the first client event, at the rate fixed when the session opened. */
  #clientEvents: TokenBucket | undefined;
  readonly #clientEventRate: number;
  #user: SignedInUser | undefined;
  #watching: readonly string[] = NOT_WATCHING;
  #lastActivity: number;
  #pingSentAt: number | undefined;
  /**
   * When the authorized-connections deadline started: the connection's opening, or the moment
   * its app turned the setting on, whichever is later.
   */
  #deadlineFrom: number;
  /** Signed in, or subscribed to a private or presence channel: what the deadline asks for. */
  #authorized = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(
    readonly socketId: string,
    private readonly transport: Transport,
    private readonly deps: SessionDeps,
  ) {
    this.#lastActivity = this.#deadlineFrom = deps.clock.now();
    this.#clientEventRate = deps.app.maxClientEventsPerSecond;
  }

  get appId(): string {
    return this.deps.app.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get userId(): string | undefined {
    return this.#user?.id;
  }

  /** Sends `connection_established`; the first frame of every connection (§1.3). */
  open(): void {
    this.transport.send(
      frames.connectionEstablished(this.socketId, this.deps.limits.activityTimeoutSeconds),
    );
  }

  /** Handles one text frame from the client. */
  receive(text: string): void {
    this.touch();
    try {
      const result = this.#dispatch(text);
      if (result) result.catch((error: unknown) => this.#internalError(error));
    } catch (error) {
      this.#internalError(error);
    }
  }

  /** Binary frames are not part of the protocol (§1.5). */
  rejectBinaryFrame(): void {
    this.touch();
    this.#error(null, 'Binary frames are not supported');
  }

  /** Any sign of life from the peer (a frame, a protocol-level pong) resets the keep-alive. */
  touch(): void {
    this.#lastActivity = this.deps.clock.now();
    this.#pingSentAt = undefined;
  }

  /**
   * Keep-alive (§3.2), called periodically by the transport's shared sweep: after
   * `activity_timeout` of silence, ping; if nothing arrives within the pong timeout, close 4201.
   */
  checkActivity(): void {
    if (this.#closed) return;
    const now = this.deps.clock.now();
    if (this.#missedAuthorizationDeadline(now)) {
      return this.disconnect(ErrorCode.Unauthorized, 'Connection not authorized within timeout');
    }
    const { activityTimeoutSeconds, pongTimeoutSeconds } = this.deps.limits;
    if (this.#pingSentAt !== undefined) {
      if (now - this.#pingSentAt >= pongTimeoutSeconds * 1000) {
        this.disconnect(ErrorCode.PongNotReceived, 'Pong reply not received');
      }
    } else if (now - this.#lastActivity >= activityTimeoutSeconds * 1000) {
      this.#pingSentAt = now;
      if (this.deps.counts) this.deps.counts.keepAliveOut++;
      this.transport.send(frames.PING);
    }
  }

  #missedAuthorizationDeadline(now: number): boolean {
    const deadline = this.deps.app.authorizedConnectionsTimeoutSeconds;
    if (deadline === null) {
      this.#deadlineFrom = now;
      return false;
    }
    if (this.#authorized || now - this.#deadlineFrom < deadline * 1000) return false;
    // A private or presence join still under way may yet succeed: wait for it.
    for (const [channel, subscription] of this.#channels ?? NO_CHANNELS) {
      if (subscription.state === 'pending' && channelKind(channel).isSigned) return false;
    }
    return true;
  }

  deliver(frame: frames.OutboundFrame): void {
    if (!this.#closed) this.transport.send(frame);
  }

  /** Sends `pusher:error` with `code`, then closes with the same code (§1.2). */
  disconnect(code: number, message: string): void {
    if (this.#closed) return;
    this.deps.trace?.(this.socketId, { kind: 'closed', code, reason: message });
    this.transport.send(frames.errorFrame(code, message));
    // Codes of 4300 and above are never close codes: pusher-js would stop reconnecting (§4.1).
    if (!isCloseCode(code)) return;
    this.transport.close(code, message);
    void this.handleClose();
  }

  /**
   * The socket is gone: leave every channel and sign out, with presence and webhook rules. Each
   * step reports its own failure, so one adapter error never leaves the rest registered.
   */
  handleClose(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#closed = true;
    // Pending joins see the cleared map and undo themselves; subscribed channels are left here.
    const subscribed = [...(this.#channels ?? NO_CHANNELS)].filter(
      ([, s]) => s.state === 'subscribed',
    );
    this.#channels?.clear();
    await Promise.all(
      subscribed.map(([channel]) => this.#serially(channel, () => this.#leave(channel))),
    );
    const { adapter } = this.deps;
    for (const watched of this.#watching) {
      await this.#guard(() => adapter.leave(this.appId, watchlistChannel(watched), this));
    }
    const user = this.#user;
    if (user) {
      await this.#guard(async () => {
        const { lastConnection } = await adapter.signOut(this.appId, user.id, this);
        if (lastConnection) this.#announcePresence(user.id, 'offline');
      });
    }
  }

  /** Runs `step`, reporting a failure instead of passing it on. */
  async #guard(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.deps.onInternalError?.(error);
    }
  }

  /**
   * Queues `step` after the channel's earlier adapter work; never rejects. One `then` both
   * reports a failure and retires the entry (a subscribe is one step: each promise counts).
   */
  #serially(channel: string, step: () => Promise<void>): Promise<void> {
    const work = (this.#work ??= new Map());
    const previous = work.get(channel);
    const run = previous ? previous.then(step) : step();
    const next: Promise<void> = run.then(
      () => this.#retire(channel, next),
      (error: unknown) => {
        this.#internalError(error);
        this.#retire(channel, next);
      },
    );
    work.set(channel, next);
    return next;
  }

  /** Drops the channel's chain once its last step is done; a step queued since stays. */
  #retire(channel: string, done: Promise<void>): void {
    if (this.#work?.get(channel) === done) this.#work.delete(channel);
  }

  #dispatch(text: string): Promise<void> | void {
    const decoded = frames.decodeClientFrame(text);
    if (!decoded.ok) return this.#error(null, decoded.problem);
    const { event, data } = decoded.value;
    switch (event) {
      case 'pusher:ping':
        if (this.deps.counts) {
          this.deps.counts.keepAliveIn++;
          this.deps.counts.keepAliveOut++;
        }
        return this.transport.send(frames.PONG);
      case 'pusher:pong':
        if (this.deps.counts) this.deps.counts.keepAliveIn++;
        return;
      case 'pusher:subscribe':
        return this.#subscribe(data);
      case 'pusher:unsubscribe':
        return this.#unsubscribe(data);
      case 'pusher:signin':
        return this.#signIn(data);
    }
    if (event.startsWith('client-')) return this.#clientEvent(decoded.value, text);
    // [U] Unknown pusher:/pusher_internal: events are ignored, as docs/protocol.md §1.5 recommends.
    if (event.startsWith('pusher:') || event.startsWith('pusher_internal:')) return;
    return this.#error(
      null,
      `Unknown event "${event.slice(0, 200)}": client events must start with client-`,
    );
  }

  /**
   * Not async: everything up to the join is synchronous and the join's chain never rejects, so
   * the promises an async method (and `receive`'s catch on it) would add buy nothing here.
   */
  #subscribe(data: unknown): void {
    const payload = frames.eventDataObject(data);
    if (!payload.ok) return this.#error(null, `Invalid pusher:subscribe: ${payload.problem}`);
    const channel = payload.value.channel;
    const nameProblem = channelNameProblem(channel, this.deps.limits.maxChannelNameLength);
    if (nameProblem !== null || typeof channel !== 'string') {
      return this.#error(null, `Invalid channel name: ${nameProblem ?? 'missing'}`);
    }
    if (this.#channels?.has(channel))
      return this.#error(null, `Existing subscription to channel ${channel}`, channel);
    const { maxChannelsPerConnection } = this.deps.limits;
    if ((this.#channels?.size ?? 0) >= maxChannelsPerConnection) {
      // [U] Pusher documents no such limit; it bounds what one socket can make the server hold.
      return this.#error(
        null,
        `Too many subscriptions: at most ${maxChannelsPerConnection} per connection`,
        channel,
      );
    }
    const kind = channelKind(channel);
    const authorization = authorizeSubscription({
      app: this.deps.app,
      socketId: this.socketId,
      channel,
      kind,
      auth: payload.value.auth,
      channelData: payload.value.channel_data,
      user: this.#user,
    });
    if (!authorization.ok) return this.#error(null, authorization.message, channel);

    const { adapter, app } = this.deps;
    // Nothing pending on the channel and an adapter that joins at once: no chain, no promise.
    // Cache channels take the chained path, as their replay waits for the cache.
    if (adapter.joinNow && !kind.isCache && !this.#closed && !this.#work?.has(channel)) {
      const member = authorization.member;
      let outcome: JoinOutcome;
      try {
        outcome = adapter.joinNow(app.id, channel, this, member, app.maxPresenceMembers);
      } catch (error) {
        return this.#joinFailed(channel, error);
      }
      if (this.#joined(channel, kind, member, outcome)) {
        this.#countAfterJoin(channel, kind, outcome);
      }
      return;
    }
    const pending: SubscriptionState = { state: 'pending' };
    (this.#channels ??= new Map()).set(channel, pending);
    void this.#serially(channel, () => this.#join(channel, kind, pending, authorization.member));
  }

  async #join(
    channel: string,
    kind: ChannelKind,
    pending: SubscriptionState,
    member: PresenceMember | undefined,
  ): Promise<void> {
    const { adapter, app } = this.deps;
    if (this.#channels?.get(channel) !== pending) return; // cancelled before it started
    let outcome: JoinOutcome;
    try {
      outcome = await adapter.join(app.id, channel, this, member, app.maxPresenceMembers);
    } catch (error) {
      if (this.#channels?.get(channel) === pending) this.#channels?.delete(channel);
      return this.#joinFailed(channel, error);
    }
    if (this.#channels?.get(channel) !== pending) {
      // Unsubscribed or closed while joining: undo it quietly, as nothing was announced.
      if (outcome.ok) await adapter.leave(app.id, channel, this);
      return;
    }
    if (!this.#joined(channel, kind, member, outcome)) return;
    if (kind.isCache) await this.#replayCache(channel);
    this.#countAfterJoin(channel, kind, outcome);
  }

  #joinFailed(channel: string, error: unknown): void {
    // The cluster's state stayed unreachable while the join was held: pusher-js reconnects at
    // once on 4200 and subscribes again, rather than leave the channel pending for ever.
    if (error instanceof AdapterUnavailableError) {
      return this.disconnect(ErrorCode.ReconnectNow, 'Cluster state unavailable: reconnect');
    }
    this.deps.onInternalError?.(error);
    this.#error(null, `Subscription to ${channel} failed: internal error`, channel);
  }

  /**
   * A join's outcome, applied: the subscription recorded, `subscription_succeeded` sent, the
   * console, occupancy and `member_added` told. False when the channel refused the member.
   */
  #joined(
    channel: string,
    kind: ChannelKind,
    member: PresenceMember | undefined,
    outcome: JoinOutcome,
  ): outcome is Joined {
    const { adapter, app, events } = this.deps;
    if (!outcome.ok) {
      this.#channels?.delete(channel);
      // [U] Pusher's wording and code for a full presence channel are unconfirmed (§16.4).
      this.#error(
        null,
        `Presence channel ${channel} is full (${app.maxPresenceMembers} members)`,
        channel,
      );
      return false;
    }
    (this.#channels ??= new Map()).set(
      channel,
      member ? { state: 'subscribed', userId: member.userId } : SUBSCRIBED,
    );
    this.transport.send(frames.subscriptionSucceeded(channel, outcome.presence));
    this.deps.trace?.(this.socketId, { kind: 'subscribed', channel });
    if (kind.isSigned) this.#authorized = true;
    const internal = kind.isInternal;
    if (!internal && this.deps.console?.watching(app.id)) {
      const user = member ? { userId: member.userId } : {};
      const entry = { appId: app.id, channel, socketId: this.socketId, ...user };
      this.deps.console.publish({ name: 'subscribed', ...entry });
    }
    if (outcome.channelOccupied && !internal)
      events({ name: 'channel_occupied', appId: app.id, channel });
    if (member && outcome.memberAdded) {
      adapter.publish(
        app.id,
        channel,
        frames.memberAdded(channel, member.userId, member.userInfo),
        this.socketId,
        outcome.rosterVersion,
      );
      events({ name: 'member_added', appId: app.id, channel, userId: member.userId });
    }
    return true;
  }

  #countAfterJoin(channel: string, kind: ChannelKind, outcome: Joined): void {
    if (!kind.isPresence && !kind.isInternal)
      this.#announceCount(channel, outcome.subscriptionCount);
  }

  async #replayCache(channel: string): Promise<void> {
    const cached = await this.deps.adapter.getCache(this.appId, channel);
    if (cached) return this.transport.send(frames.channelEvent(cached.event, channel, cached.data));
    this.transport.send(frames.cacheMiss(channel));
    this.deps.events({ name: 'cache_miss', appId: this.appId, channel });
  }

  #announceCount(channel: string, count: number): void {
    const { app, countThrottle, clock } = this.deps;
    if (!app.enableSubscriptionCount) return;
    if (countThrottle && !countThrottle.allow(app.id, channel, count, clock.now())) return;
    announceCount(this.deps, this.appId, channel, count);
  }

  async #unsubscribe(data: unknown): Promise<void> {
    const payload = frames.eventDataObject(data);
    const channel = payload.ok ? payload.value.channel : undefined;
    if (typeof channel !== 'string')
      return this.#error(null, 'Invalid pusher:unsubscribe: "channel" missing');
    const subscription = this.#channels?.get(channel);
    if (!subscription) {
      return this.#error(
        null,
        `No current subscription to channel ${channel}, or subscription in progress`,
        channel,
      );
    }
    this.#channels?.delete(channel);
    this.deps.trace?.(this.socketId, { kind: 'unsubscribed', channel });
    // A pending join sees the deletion and undoes itself.
    if (subscription.state === 'subscribed') {
      await this.#serially(channel, () => this.#leave(channel));
    }
  }

  async #leave(channel: string): Promise<void> {
    const { adapter, events } = this.deps;
    const outcome = await adapter.leave(this.appId, channel, this);
    if (!outcome.wasSubscribed) return;
    if (outcome.memberRemoved !== undefined) {
      const removed = frames.memberRemoved(channel, outcome.memberRemoved);
      adapter.publish(this.appId, channel, removed, undefined, outcome.rosterVersion);
      events({ name: 'member_removed', appId: this.appId, channel, userId: outcome.memberRemoved });
    }
    const kind = channelKind(channel);
    if (kind.isInternal) return;
    if (this.deps.console?.watching(this.appId)) {
      const entry = { appId: this.appId, channel, socketId: this.socketId };
      this.deps.console.publish({ name: 'unsubscribed', ...entry });
    }
    if (outcome.channelVacated) events({ name: 'channel_vacated', appId: this.appId, channel });
    else if (!kind.isPresence) this.#announceCount(channel, outcome.subscriptionCount);
  }

  /** `frame` as decoded from `text`, the frame as the client sent it. */
  #clientEvent(frame: frames.ClientFrame, text: string): void {
    const { app, limits, adapter } = this.deps;
    const { event, channel: target, data } = frame;
    // One lookup for the check and the user id: the name is hashed once.
    const subscription = target === undefined ? undefined : this.#channels?.get(target);
    const subscribed = subscription?.state === 'subscribed';
    const check = checkClientEvent({
      app,
      maxEventNameLength: limits.maxEventNameLength,
      event,
      channel: target,
      data,
      subscribed,
      bucket: (this.#clientEvents ??= new TokenBucket(this.#clientEventRate)),
      // Set by `receive` for this very frame.
      now: this.#lastActivity,
      frameLength: text.length,
    });
    if (!check.ok) return this.#error(check.code, check.message, target);
    const { channel } = check;
    const userId = subscription?.state === 'subscribed' ? subscription.userId : undefined;
    // A small frame (the size check above left its data unserialized) goes out as it came, when
    // it can; otherwise, or for a longer one, it is built anew.
    const relayed = smallFrame(text.length, app.maxEventPayloadBytes)
      ? frames.relayedClientEvent(text, frame, channel, userId)
      : undefined;
    adapter.publish(
      app.id,
      channel,
      relayed ?? frames.channelEvent(event, channel, data, userId),
      this.socketId,
    );
    const { socketId } = this;
    // Two literals, not a spread: this runs for every client event relayed.
    this.deps.events(
      userId === undefined
        ? { name: 'client_event', appId: app.id, channel, event, data, socketId }
        : { name: 'client_event', appId: app.id, channel, event, data, socketId, userId },
    );
  }

  async #signIn(data: unknown): Promise<void> {
    const context: SignInContext = {
      app: this.deps.app,
      socketId: this.socketId,
      current: this.#user,
      data,
    };
    const result = signIn(context);
    if (!result.ok) return this.#error(result.code, result.message);
    const { user, userData, watchlist, watchlistTruncated } = result;
    const alreadySignedIn = this.#user !== undefined;
    this.#user = user;
    this.#authorized = true;
    this.transport.send(frames.signinSuccess(userData));
    this.deps.trace?.(this.socketId, { kind: 'signed_in', userId: user.id });
    if (watchlistTruncated) {
      this.#error(
        ErrorCode.WatchlistLimit,
        `Watchlist limit exceeded: only the first ${MAX_WATCHLIST} user ids are watched`,
      );
    }
    if (alreadySignedIn) return;
    const { adapter } = this.deps;
    const { firstConnection } = await adapter.signIn(this.appId, user.id, this);
    if (this.#closed) return void (await adapter.signOut(this.appId, user.id, this));
    if (firstConnection) this.#announcePresence(user.id, 'online');
    try {
      await this.#watch(watchlist);
    } catch (error) {
      // As for a subscription held through an outage: reconnect, and sign in again then.
      if (!(error instanceof AdapterUnavailableError)) throw error;
      this.disconnect(ErrorCode.ReconnectNow, 'Cluster state unavailable: reconnect');
    }
  }

  async #watch(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const { adapter } = this.deps;
    this.#watching = userIds;
    for (const id of userIds) {
      await adapter.join(this.appId, watchlistChannel(id), this);
      if (this.#closed) {
        // Closed while joining: handleClose has already left, so undo what joined since.
        for (const joined of userIds)
          await adapter.leave(this.appId, watchlistChannel(joined), this);
        return;
      }
    }
    const online = new Set(await adapter.onlineUsers(this.appId, userIds));
    const events: frames.WatchlistEvent[] = [];
    const onlineIds = userIds.filter((id) => online.has(id));
    const offlineIds = userIds.filter((id) => !online.has(id));
    if (onlineIds.length) events.push({ name: 'online', user_ids: onlineIds });
    if (offlineIds.length) events.push({ name: 'offline', user_ids: offlineIds });
    this.transport.send(frames.watchlistEvents(events));
  }

  #announcePresence(userId: string, name: 'online' | 'offline'): void {
    const frame = frames.watchlistEvents([{ name, user_ids: [userId] }]);
    this.deps.adapter.publish(this.appId, watchlistChannel(userId), frame);
  }

  /** `channel`: what the refusal was about, if a channel, for the console and the log. */
  #error(code: number | null, message: string, channel?: string): void {
    if (this.deps.counts) this.deps.counts.errors++;
    this.transport.send(frames.errorFrame(code, message));
    if (this.deps.console?.watching(this.appId)) {
      const about = channel === undefined ? {} : { channel };
      const entry = { appId: this.appId, socketId: this.socketId, code, ...about };
      this.deps.console.publish({ name: 'refused', ...entry, reason: maskSignatures(message) });
    }
    this.deps.onRefusal?.(this.socketId, code, message, channel);
  }

  #internalError(error: unknown): void {
    this.deps.onInternalError?.(error);
    if (!this.#closed) this.#error(null, 'Internal server error');
  }
}
