/**
 * `maxConnections` across every node of an app. The handshake decides at once, so it cannot wait
 * for Redis: it adds this node's live count to the other nodes' counts as last read. Those are
 * read again every sweep (a second) for each app whose quota was checked in the last minute, and
 * each node shares its own count at most a second after it changes (Adapter.connectionCount),
 * so another node's connections are seen within about two seconds. Connections opened on
 * several nodes inside that window can overshoot the quota by what those nodes admitted
 * meanwhile; one node alone never does. With the Local adapter the other nodes count 0.
 */
import type { Adapter } from '../adapter/adapter.ts';

/** An app not checked for this long is no longer read. */
const FORGET_AFTER_MS = 60_000;

interface Others {
  count: number;
  checkedAt: number;
}

export class ClusterQuota {
  readonly #others = new Map<string, Others>();
  #reading = false;

  constructor(
    private readonly adapter: Adapter,
    /** This node's open connections of an app, now. */
    private readonly local: (appId: string) => number,
    private readonly now: () => number,
  ) {}

  /** Open connections of `appId` on every node, for the quota check; starts following it. */
  readonly open = (appId: string): number => {
    let others = this.#others.get(appId);
    if (!others) this.#others.set(appId, (others = { count: 0, checkedAt: 0 }));
    others.checkedAt = this.now();
    return this.local(appId) + others.count;
  };

  /** Reads the other nodes' counts of the apps checked lately (one read at a time). */
  refresh(): void {
    if (this.#reading) return;
    const now = this.now();
    const reads: Promise<void>[] = [];
    for (const [appId, others] of this.#others) {
      if (now - others.checkedAt > FORGET_AFTER_MS) {
        this.#others.delete(appId);
        continue;
      }
      reads.push(
        this.adapter.connectionCount(appId).then(
          (total) => void (others.count = Math.max(0, total - this.local(appId))),
          // Redis unreachable: the last counts stand until it answers again.
          () => undefined,
        ),
      );
    }
    if (reads.length === 0) return;
    this.#reading = true;
    void Promise.all(reads).finally(() => (this.#reading = false));
  }
}
