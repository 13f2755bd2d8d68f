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

export class PubSub implements RouteLink {
  readonly #client: Redis;
  readonly #sharded: boolean;
  #settle: NodeJS.Timeout | undefined;

  constructor(target: RedisTarget, events: PubSubEvents) {
    this.#sharded = isCluster(target);
    this.#client = openSubscriber(target);
    // Connection errors: the command link reports the outage; a lone pub/sub drop catches up.
    this.#client.on('error', () => undefined);
    const onMessage = (_channel: Buffer, message: Buffer) =>
      events.message(message.toString('utf8'));
    if (!this.#sharded) {
      this.#client.on('close', () => events.dropped());
      this.#client.on('ready', () => events.back());
      this.#client.on('messageBuffer', onMessage);
      return;
    }
    this.#client.on('smessageBuffer', onMessage);
    // A shard's subscriber went away: ioredis starts a new one and resubscribes it, then says
    // `subscribersReady`; the bus catches up then, or after a while if that never comes.
    const dropped = () => {
      events.dropped();
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => events.back(), CLUSTER_SETTLE_MS);
      this.#settle.unref();
    };
    this.#client.on('-node', dropped);
    this.#client.on('-subscriber', dropped);
    this.#client.on('subscribersReady', () => {
      clearTimeout(this.#settle);
      events.back();
    });
  }

  async connect(): Promise<void> {
    await this.#client.connect();
  }

  async subscribe(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    if (!this.#sharded) return void (await this.#client.subscribe(...names));
    await Promise.all(names.map((name) => this.#client.ssubscribe(name)));
  }

  async unsubscribe(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    if (!this.#sharded) return void (await this.#client.unsubscribe(...names));
    await Promise.all(names.map((name) => this.#client.sunsubscribe(name)));
  }

  disconnect(): void {
    clearTimeout(this.#settle);
    this.#client.disconnect();
  }
}
