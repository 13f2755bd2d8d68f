/**
 * The Adapter: the one seam through which every delivery, every subscription and all presence,
 * occupancy, sign-in and cache state passes. The in-memory LocalAdapter serves one node; a
 * cluster implementation (Redis) keeps the same contract across nodes.
 *
 * Guarantees every implementation gives (checked by test/conformance/adapter.suite.ts):
 * - `join` and `leave` are atomic per (app, channel): concurrent joins of one user yield exactly
 *   one `memberAdded`, concurrent leaves exactly one `memberRemoved`.
 * - `channelOccupied` is true for exactly the join that takes a channel from 0 to 1 subscriber,
 *   `channelVacated` for the leave that takes it back to 0.
 * - `publish` delivers at most once to every subscriber joined when it is called, except the
 *   socket `exceptSocketId`, in publish order per (app, channel). It never throws: it is best
 *   effort (client and presence events), and a cluster adapter that cannot reach the other nodes
 *   delivers to this node's sockets only.
 * - `publishBatch` (the HTTP API) is all or nothing: it resolves once every message was handed to
 *   every node, or rejects with AdapterUnavailableError having delivered none, not even locally.
 *   A cluster adapter that sent the batch and cannot learn whether it ran rejects with
 *   PublishOutcomeUnknownError instead, never with AdapterUnavailableError.
 * - Queries and `terminateUser` reject with AdapterUnavailableError, promptly, when the shared
 *   state cannot be reached; `join` may hold a while for it, then rejects the same way.
 * - Presence membership is per distinct user id; a user counts once however many sockets it has.
 * - Joining a channel the socket is already in changes nothing (and reports no transition);
 *   leaving a channel it is not in changes nothing.
 * - All methods are scoped by app id: apps never see one another's channels or users.
 */
import type { OutboundFrame, PresenceSnapshot } from '../protocol/frames.ts';

/** A local connection as the adapter sees it. */
export interface Subscriber {
  readonly socketId: string;
  /** Hands a frame to the connection; never throws. */
  deliver(frame: OutboundFrame): void;
  /** Sends `pusher:error` with `code` and closes with it (used by terminate_connections). */
  disconnect(code: number, message: string): void;
}

export interface PresenceMember {
  readonly userId: string;
  readonly userInfo: unknown;
  /** `userInfo` as JSON, when the caller serialized it already (its size check does). */
  readonly userInfoJson?: string;
}

export type JoinOutcome =
  | {
      readonly ok: true;
      /** This join took the channel from 0 to 1 subscriber. */
      readonly channelOccupied: boolean;
      /** Presence: this is the user's first socket in the channel. */
      readonly memberAdded: boolean;
      /** Presence: the roster including the new member. */
      readonly presence?: PresenceSnapshot;
      readonly subscriptionCount: number;
      /** Presence: the roster version of this join, to publish `member_added` with. */
      readonly rosterVersion?: number;
    }
  | { readonly ok: false; readonly reason: 'presence-full' };

export interface LeaveOutcome {
  /** False when the socket was not in the channel; nothing else changed then. */
  readonly wasSubscribed: boolean;
  readonly channelVacated: boolean;
  /** Presence: the user id whose last socket left, if any. */
  readonly memberRemoved?: string;
  readonly subscriptionCount: number;
  /** Presence: the roster version of this leave, to publish `member_removed` with. */
  readonly rosterVersion?: number;
}

/** One message of an API publish. */
export interface Publication {
  readonly channel: string;
  readonly frame: OutboundFrame;
  readonly exceptSocketId?: string;
  /** A cache channel's event, remembered for `ttlSeconds` in the same step. */
  readonly cache?: { readonly event: string; readonly data: string; readonly ttlSeconds: number };
}

export interface ChannelStats {
  readonly subscriptionCount: number;
  /** Presence channels only: distinct users. */
  readonly userCount?: number;
}

export interface CachedEvent {
  readonly event: string;
  readonly data: string;
  /** Whole seconds left before it expires. */
  readonly ttlSeconds: number;
}

export interface Adapter {
  join(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): Promise<JoinOutcome>;
  leave(appId: string, channel: string, subscriber: Subscriber): Promise<LeaveOutcome>;
  /**
   * Optional: `join` done at once, for an adapter whose state is in this process (LocalAdapter).
   * Same outcome and guarantees; a Session uses it when no other work on the channel is pending,
   * so a subscription costs no promise chain.
   */
  joinNow?(
    appId: string,
    channel: string,
    subscriber: Subscriber,
    member?: PresenceMember,
    maxMembers?: number,
  ): JoinOutcome;
  /**
   * `rosterVersion`: of a presence member event, so that a socket whose roster already reflects
   * it (it joined on another node meanwhile) does not get it twice.
   */
  publish(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId?: string,
    rosterVersion?: number,
  ): void;
  publishBatch(appId: string, publications: readonly Publication[]): Promise<void>;

  /** Records a signed-in socket; `firstConnection` when the user just came online. */
  signIn(
    appId: string,
    userId: string,
    subscriber: Subscriber,
  ): Promise<{ firstConnection: boolean }>;
  /** `lastConnection` when the user just went offline. Unknown pairs are a no-op. */
  signOut(
    appId: string,
    userId: string,
    subscriber: Subscriber,
  ): Promise<{ lastConnection: boolean }>;
  /** The subset of `userIds` signed in on at least one connection. */
  onlineUsers(appId: string, userIds: readonly string[]): Promise<string[]>;
  /** Disconnects every socket signed in as `userId`, on every node. */
  terminateUser(appId: string, userId: string, code: number, message: string): Promise<void>;

  /** Occupied channels with their stats. */
  channels(appId: string): Promise<Map<string, ChannelStats>>;
  /** Stats of one channel, or undefined when it has no subscriber. */
  channel(appId: string, channel: string): Promise<ChannelStats | undefined>;
  /** Distinct user ids in a presence channel. */
  members(appId: string, channel: string): Promise<string[]>;
  /** One presence member with the user_info it joined with; undefined when not a member. */
  member(appId: string, channel: string, userId: string): Promise<PresenceMember | undefined>;

  /**
   * Counts a connection of `appId` opening (+1) or closing (-1) on this node. Never throws and
   * never waits: a cluster implementation shares its counts in the background.
   */
  countConnection(appId: string, delta: 1 | -1): void;
  /**
   * Open connections of `appId` on every node: this node's count as it is now, other nodes'
   * as they shared it, at most about a second ago. A node that died stops counting within the
   * time it takes to be presumed dead.
   */
  connectionCount(appId: string): Promise<number>;

  /** Remembers the last API-published event of a cache channel for `ttlSeconds`. */
  setCache(
    appId: string,
    channel: string,
    event: string,
    data: string,
    ttlSeconds: number,
  ): Promise<void>;
  getCache(appId: string, channel: string): Promise<CachedEvent | undefined>;

  /** Why this node should get no new clients now (a load balancer's `/ready`), or undefined. */
  notReady(): string | undefined;

  close(): Promise<void>;
}
