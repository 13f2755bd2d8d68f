/**
 * The bus between nodes: every delivery goes through the PUBLISH script (channel log + pub/sub
 * in one step) on the channel's own pub/sub channel, so it reaches only the nodes whose sockets
 * hold the channel (routes.ts), this one included; the feed delivers each log id once. When the
 * pub/sub link drops and comes back, the node subscribes again and reads each of its channels'
 * logs from the last id it delivered before it goes on live. Node-addressed traffic (terminate)
 * travels on the user's `#server-to-user-` route, held by the nodes where that user signed in.
 */
import { ReplyError } from 'ioredis';
import { AdapterUnavailableError, PublishOutcomeUnknownError } from '../../errors.ts';
import { OutboundFrame } from '../../protocol/frames.ts';
import type { Publication, Subscriber } from '../adapter.ts';
import type { LocalAdapter } from '../local.ts';
import { compareIds, decodeBus, encodeDelivery, Feed, type BusMessage } from './feed.ts';
import { InDoubt } from './in-doubt.ts';
import type { RedisKeys } from './keys.ts';
import { isCluster, neverSent, type RedisTarget, type Scripted } from './link.ts';
import { channelKey, userRoute } from './local-share.ts';
import { PubSub } from './pubsub.ts';
import { Routes } from './routes.ts';
import { memberChange } from './roster.ts';

/** Messages kept per channel log, and how long a log outlives its last message. */
export const LOG_MAX_LENGTH = 5_000;
export const LOG_TTL_MS = 30_000;
/** How soon a resubscription that failed (Redis, or a shard, not serving yet) is tried again. */
const RESUBSCRIBE_RETRY_MS = 250;

export interface BusHost {
  readonly nodeId: string;
  readonly keys: RedisKeys;
  readonly redis: Scripted;
  readonly local: LocalAdapter;
  /** What each local presence socket's roster reflects (socketKey → roster). */
  readonly versions: Map<string, SocketRoster>;
  /** The members this node's presence sockets were shown, per local channel (channelKey). */
  readonly views: Map<string, Set<string>>;
  /** A command failed: Redis is unreachable. */
  markDown(error: unknown): void;
  /** Whether the node holds a route (a channel key, app + channel): it has sockets there. */
  holdsRoute(key: string): boolean;
  /** Every route the node holds. */
  heldRoutes(): Iterable<string>;
}

/**
 * The member events a socket's join roster reflects: every one up to its roster version, and
 * those newer ones that reached the node during the join and were folded into it. Not the
 * newest folded version: member events reach a node out of version order.
 */
export interface SocketRoster {
  readonly version: number;
  readonly folded: ReadonlySet<string>;
  /** The channel's last log id when the join's script ran: the roster reflects no later one. */
  readonly lastId: string;
  /** The channel's last delivered id once the socket was registered: it got each later one. */
  readonly from: string;
  /** Member events in between that it got late or that its roster folded (bounded by those). */
  readonly late: Set<string>;
}

export const socketKey = (appId: string, channel: string, subscriber: Subscriber) =>
  `${appId}\n${channel}\n${subscriber.socketId}`;

export class Bus {
  readonly feed: Feed;
  readonly routes: Routes;
  readonly #pubsub: PubSub;
  readonly #sharded: boolean;
  readonly #doubts: InDoubt;
  #up = false;
  #closing = false;
  #resubscribing = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: BusHost,
    target: RedisTarget,
  ) {
    this.feed = new Feed(
      (message) => this.#deliver(message),
      (message) => this.#deliverLate(message),
    );
    this.#sharded = isCluster(target);
    this.#doubts = new InDoubt(host.redis, LOG_MAX_LENGTH);
    this.#pubsub = new PubSub(target, {
      message: (text) => this.#onMessage(text),
      dropped: () => (this.#up = false),
      back: () => void this.#resubscribed(),
    });
    const names = (routeKeys: readonly string[]) => routeKeys.map((key) => this.#route(key));
    this.routes = new Routes(
      {
        subscribe: (routeKeys) => this.#pubsub.subscribe(names(routeKeys)),
        unsubscribe: (routeKeys) => this.#pubsub.unsubscribe(names(routeKeys)),
      },
      (key) => host.holdsRoute(key),
    );
  }

  async connect(): Promise<void> {
    await this.#pubsub.connect();
    this.#up = true;
  }

  /** The pub/sub channel of a route key (app + channel). */
  #route(key: string): string {
    const [app = '', channel = ''] = key.split('\n');
    return this.host.keys.route(app, channel);
  }

  /** Why the link cannot be trusted to be complete now, or undefined. */
  notReady(): string | undefined {
    return this.#up && !this.feed.catchingUp ? undefined : 'redis pub/sub link catching up';
  }

  /** Sends one message to every node; rejects when Redis did not take it. */
  async announce(
    appId: string,
    channel: string,
    frame: OutboundFrame,
    exceptSocketId = '',
    rosterVersion = 0,
  ): Promise<void> {
    const args = this.#args(appId, { channel, frame, exceptSocketId }, rosterVersion);
    await this.host.redis.pwPublish(...args);
  }

  /**
   * Every publication or none, in one transaction. Rejects with AdapterUnavailableError when
   * none went out, or PublishOutcomeUnknownError when the node cannot tell (in-doubt.ts). On a
   * cluster a transaction holds one slot: one per channel, all sent at once; a shard failing
   * midway while others delivered leaves the batch delivered in part, which is reported unknown.
   */
  async publishBatch(appId: string, publications: readonly Publication[]): Promise<void> {
    const groups = this.#sharded ? byChannel(publications) : [publications];
    const outcomes = await Promise.allSettled(
      groups.map((group) => this.#transaction(appId, group)),
    );
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length === 0) return;
    const unknown = failed.find((o) => o.reason instanceof PublishOutcomeUnknownError);
    if (unknown) throw unknown.reason;
    if (failed.length < outcomes.length) throw new PublishOutcomeUnknownError(failed[0]!.reason);
    throw new AdapterUnavailableError(undefined, failed[0]!.reason);
  }

  async #transaction(appId: string, publications: readonly Publication[]): Promise<void> {
    const multi = this.host.redis.multi() as unknown as {
      pwPublish(...args: string[]): void;
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    // All or nothing: the first message's tag tells whether the transaction ran.
    const tag = this.#doubts.tag();
    publications.forEach((publication, i) =>
      multi.pwPublish(...this.#args(appId, publication, 0, i === 0 ? tag : '')),
    );
    const written = this.#doubts.written();
    let results;
    try {
      results = await multi.exec();
    } catch (error) {
      // EXEC answered with an error (EXECABORT: a command was refused while queued, by an ACL,
      // a wrong slot…): Redis ran none of it, and the link is fine.
      if (error instanceof ReplyError) throw error;
      this.host.markDown(error);
      if (neverSent(error)) throw error;
      const log = this.host.keys.log(appId, publications[0]!.channel);
      const outcome = await this.#doubts.settle(written, log, tag);
      if (outcome === 'ran') return;
      if (outcome === 'unknown') throw new PublishOutcomeUnknownError(error);
      throw error;
    }
    const failed =
      results === null ? new Error('transaction aborted') : results.find(([e]) => e)?.[0];
    if (failed) throw failed;
  }

  #args(appId: string, publication: Publication, rosterVersion: number, tag = ''): string[] {
    const { channel, frame, exceptSocketId, cache } = publication;
    const { keys, nodeId } = this.host;
    return [
      keys.log(appId, channel),
      keys.cache(appId, channel),
      keys.route(appId, channel),
      this.#sharded ? 'SPUBLISH' : 'PUBLISH',
      String(LOG_MAX_LENGTH),
      String(LOG_TTL_MS),
      encodeDelivery(nodeId, appId, channel, exceptSocketId ?? '', rosterVersion, frame.text),
      cache ? JSON.stringify([cache.event, cache.data]) : '',
      String(cache?.ttlSeconds ?? 0),
      tag,
    ];
  }

  /**
   * The pub/sub link is back: read what it missed from the logs, then go on live. Tried again
   * until it works: the link may say it is back before Redis serves (a cluster whose masters
   * restarted answers CLUSTERDOWN for a while), and nothing else would bring it back then.
   */
  async #resubscribed(): Promise<void> {
    if (this.#up || this.#closing || this.#resubscribing) return;
    this.#resubscribing = true;
    clearTimeout(this.#retry);
    this.feed.beginCatchUp();
    try {
      await this.routes.resubscribe(this.host.heldRoutes());
      this.#up = true;
      await this.catchUp();
    } catch {
      // Not subscribed yet: again shortly. Subscribed, but the log could not be read: the
      // command link is down too, and the resync after the outage catches up.
      if (!this.#up && !this.#closing) {
        this.#retry = setTimeout(() => void this.#resubscribed(), RESUBSCRIBE_RETRY_MS);
        this.#retry.unref();
      }
    } finally {
      this.#resubscribing = false;
    }
  }

  /** Delivers what each local channel's log holds beyond the last id delivered here. */
  async catchUp(): Promise<void> {
    while (this.feed.catchingUp) {
      for (const [key, lastId] of this.feed.offsets()) {
        const [appId = '', channel = ''] = key.split('\n');
        const log = this.host.keys.log(appId, channel);
        for (const [id, fields] of await this.host.redis.xrange(log, `(${lastId}`, '+')) {
          const item = decodeBus(`${id}${fields[1] ?? ''}`);
          if (item?.kind === 'd') this.feed.apply(item.message, key);
        }
      }
      if (this.feed.endCatchUp((m) => channelKey(m.app, m.channel))) return;
      this.feed.beginCatchUp();
    }
  }

  #onMessage(text: string): void {
    const item = decodeBus(text);
    if (!item) return;
    if (item.kind === 'd') {
      this.feed.receive(item.message, channelKey(item.message.app, item.message.channel));
    } else if (item.node !== this.host.nodeId) {
      this.host.local.terminateLocally(item.app, item.userId, item.code, item.reason);
    }
  }

  #deliver(message: BusMessage): void {
    const { app, channel, version } = message;
    const { versions, local } = this.host;
    if (version > 0) this.#shown(message);
    const frame = new OutboundFrame(message.frame);
    // A socket whose roster already reflects this member event does not get it again.
    const reflects = (roster: SocketRoster | undefined) =>
      roster !== undefined && (roster.version >= version || roster.folded.has(message.id));
    const skip =
      version > 0
        ? (s: Subscriber) => reflects(versions.get(socketKey(app, channel, s)))
        : undefined;
    local.deliverLocally(app, channel, frame, message.except || undefined, skip);
  }

  /**
   * A member event that arrived after its channel moved past it: another local join, whose
   * script ran after the event was logged, registered first. A socket whose script ran before
   * the event, and that was registered after the channel moved past it, never got it: it gets
   * it now, once, unless its roster already reflects it.
   */
  #deliverLate(message: BusMessage): void {
    const { app, channel, id, version } = message;
    const { versions, local } = this.host;
    const needs = (roster: SocketRoster | undefined) =>
      roster !== undefined &&
      roster.version < version &&
      !roster.late.has(id) &&
      compareIds(id, roster.lastId) > 0 &&
      compareIds(id, roster.from) <= 0;
    const frame = new OutboundFrame(message.frame);
    const delivered = local.deliverLocally(
      app,
      channel,
      frame,
      message.except || undefined,
      (s) => {
        const roster = versions.get(socketKey(app, channel, s));
        if (!needs(roster)) return true;
        roster!.late.add(id);
        return false;
      },
    );
    if (delivered > 0) this.#shown(message);
  }

  /** What this node's presence sockets were shown, for a resync after a data loss (sync.ts). */
  #shown(message: BusMessage): void {
    const view = this.host.views.get(channelKey(message.app, message.channel));
    const change = view && memberChange(message.frame);
    if (change?.added) view!.add(change.userId);
    else if (change) view!.delete(change.userId);
  }

  /** Disconnects a user's sockets on the nodes where the user signed in (not this one). */
  async terminate(text: string, appId: string, userId: string): Promise<void> {
    const route = this.host.keys.route(appId, userRoute(userId));
    await (this.#sharded
      ? this.host.redis.spublish(route, text)
      : this.host.redis.publish(route, text));
  }

  close(): void {
    this.#closing = true;
    clearTimeout(this.#retry);
    this.routes.close();
    this.#pubsub.disconnect();
  }
}

function byChannel(publications: readonly Publication[]): Publication[][] {
  const groups = new Map<string, Publication[]>();
  for (const publication of publications) {
    const group = groups.get(publication.channel);
    if (group) group.push(publication);
    else groups.set(publication.channel, [publication]);
  }
  return [...groups.values()];
}
