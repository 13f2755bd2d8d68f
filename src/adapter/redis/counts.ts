/**
 * Open connections per app across nodes: each node writes its counts whole into one hash that
 * expires with its liveness, at most once a second and on every heartbeat (which also restores
 * it after Redis lost its data), and a reader adds the other live nodes' hashes to its own.
 */
import type { LocalAdapter } from '../local.ts';
import type { RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';

/** How long a change in this node's connection counts waits before it is shared. */
const COUNTS_DELAY_MS = 1000;

export class ConnectionCounts {
  #due: NodeJS.Timeout | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly keys: RedisKeys,
    private readonly redis: Scripted,
    private readonly local: LocalAdapter,
    private readonly ttlSeconds: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  count(appId: string, delta: 1 | -1): void {
    this.local.countConnection(appId, delta);
    if (this.#due) return;
    this.#due = setTimeout(() => {
      this.#due = undefined;
      this.share().catch(this.onError);
    }, COUNTS_DELAY_MS);
    this.#due.unref();
  }

  async share(): Promise<void> {
    const key = this.keys.connections(this.nodeId);
    const counts = [...this.local.allConnections()].flatMap(([app, n]) => [app, String(n)]);
    const multi = this.redis.multi().del(key);
    if (counts.length > 0) multi.hset(key, ...counts).expire(key, this.ttlSeconds);
    await multi.exec();
  }

  async total(appId: string): Promise<number> {
    const nodes = (await this.redis.zrange(this.keys.nodes, 0, -1)).filter(
      (node) => node !== this.nodeId,
    );
    // One command per node, all at once: on a cluster each node's hash has its own slot.
    const rows = await Promise.all(
      nodes.map((node) => this.redis.hget(this.keys.connections(node), appId)),
    );
    const others = rows.reduce((sum, value) => sum + (Number(value) || 0), 0);
    return this.local.localConnections(appId) + others;
  }

  /** Forgets a node's counts (it died or left). */
  async drop(node: string): Promise<void> {
    await this.redis.del(this.keys.connections(node));
  }

  close(): void {
    clearTimeout(this.#due);
  }
}
