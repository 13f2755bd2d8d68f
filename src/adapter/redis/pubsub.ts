/**
 * The node's pub/sub connection, as the bus needs it: subscribe and unsubscribe batches of
 * channels, a callback per message, and "the link dropped" / "the link is back" so that the bus
 * can catch up from the logs. One Redis: SUBSCRIBE with many channels per command. A Redis
 * Cluster: sharded pub/sub, one SSUBSCRIBE per channel (a command may only name channels of one
 * slot), all sent in the same turn, each on the shard that owns the channel.
 */
import type { Redis } from 'ioredis';
import { isCluster, openSubscriber, type RedisTarget } from './link.ts';
import type { RouteLink } from './routes.ts';

export interface PubSubEvents {
  message(text: string): void;
  /** The link (or one shard's) dropped: what arrives may have gaps until `back`. */
  dropped(): void;
  /** The link is back: subscribe again to what is wanted, then catch up. */
  back(): void;
}

/** How long a cluster's subscriber waits for its shards to be ready again before it retries. */
const CLUSTER_SETTLE_MS = 2_000;
/**
 * How long a ready cluster client may answer every subscription "No sharded subscriber for
 * slot" before it is replaced. After every master restarted, ioredis 5.11 could leave its
 * sharded subscribers in that state for good, the client itself ready: seen in about 1 of 10
 * runs of test/scaling/redis-outage.test.ts on a loaded machine, the node "catching up" for
 * 30 s and more while the other node was back within a second. A new client starts from the
 * cluster's current map. Any other refusal (the cluster not ready: an outage, a failover) is
 * left to ioredis, which recovers from those.
 */
const CLUSTER_REPLACE_MS = 3_000;
const STUCK = 'No sharded subscriber for slot';

export class PubSub implements RouteLink {
  #client: Redis;
  readonly #sharded: boolean;
  #settle: NodeJS.Timeout | undefined;
  /** Since when every subscription was refused as stuck (STUCK), or undefined. */
  #stuckSince: number | undefined;
  #closed = false;

  constructor(
    private readonly target: RedisTarget,
    private readonly events: PubSubEvents,
    /** Opens each client, the first and any replacement. */
    private readonly open: (target: RedisTarget) => Redis = openSubscriber,
  ) {
    this.#sharded = isCluster(target);
    this.#client = this.#open();
  }

  #open(): Redis {
    const client = this.open(this.target);
    const events = this.events;
    // Connection errors: the command link reports the outage; a lone pub/sub drop catches up.
    client.on('error', () => undefined);
    if (!this.#sharded) {
      client.on('close', () => events.dropped());
      client.on('ready', () => events.back());
      client.on('messageBuffer', (_channel: Buffer, message: Buffer) =>
        events.message(message.toString('utf8')),
      );
      return client;
    }
    // Only the current client speaks for the link: a replaced one's last words are ignored.
    const current = () => client === this.#client && !this.#closed;
    client.on('smessageBuffer', (_channel: Buffer, message: Buffer) => {
      if (current()) events.message(message.toString('utf8'));
    });
    // A shard's subscriber went away: ioredis starts a new one and resubscribes it, then says
    // `subscribersReady`; the bus catches up then, or after a while if that never comes.
    const dropped = () => {
      if (!current()) return;
      events.dropped();
      this.#settleLater();
    };
    client.on('-node', dropped);
    client.on('-subscriber', dropped);
    client.on('subscribersReady', () => {
      if (!current()) return;
      this.#stuckSince = undefined;
      clearTimeout(this.#settle);
      events.back();
    });
    return client;
  }

  #settleLater(): void {
    clearTimeout(this.#settle);
    if (this.#closed) return;
    this.#settle = setTimeout(() => this.events.back(), CLUSTER_SETTLE_MS);
    this.#settle.unref();
  }

  async connect(): Promise<void> {
    await this.#client.connect();
  }

  async subscribe(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const client = this.#client;
    if (!this.#sharded) return void (await client.subscribe(...names));
    try {
      await Promise.all(names.map((name) => client.ssubscribe(name)));
      this.#stuckSince = undefined;
    } catch (error) {
      if (client === this.#client) this.#refused(client, error);
      throw error;
    }
  }

  /** Replaces a ready client that has refused every subscription as stuck for a while. */
  #refused(client: Redis, error: unknown): void {
    const stuck =
      client.status === 'ready' && error instanceof Error && error.message.startsWith(STUCK);
    if (!stuck) {
      this.#stuckSince = undefined;
      return;
    }
    const now = performance.now();
    this.#stuckSince ??= now;
    if (this.#closed || now - this.#stuckSince < CLUSTER_REPLACE_MS) return;
    this.#stuckSince = undefined;
    this.#client = this.#open();
    client.disconnect();
    // What the old one held is gone with it: the bus subscribes again once the new one is up.
    this.events.dropped();
    this.#client.connect().then(
      () => this.#settleLater(),
      () => this.#settleLater(),
    );
  }

  async unsubscribe(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    if (!this.#sharded) return void (await this.#client.unsubscribe(...names));
    await Promise.all(names.map((name) => this.#client.sunsubscribe(name)));
  }

  disconnect(): void {
    this.#closed = true;
    clearTimeout(this.#settle);
    this.#client.disconnect();
  }
}
