/**
 * `maxConnections` across every node of an app. The handshake decides at once, so it cannot wait
 * for Redis: it adds this node's live count to the other nodes' counts as last read. Those are
 * read again every sweep (a second) for each app whose quota was checked in the last minute, and
 * each node shares its own count at most a second after it changes (Adapter.connectionCount),
 * so another node's connections are seen within about two seconds. Connections opened on
 * several nodes inside that window can overshoot the quota by what those nodes admitted
 * meanwhile; one node alone never does. A node that follows no count of the app yet (its first
 * connection of the app, or the first in a minute) reads it before deciding, so that connection
 * is held back by that one read. With the Local adapter the other nodes count 0.
 */
import type { Adapter } from '../adapter/adapter.ts';
import type { AppStore } from '../apps/app-store.ts';
import { readTarget } from '../connection/handshake.ts';

/** An app not checked for this long is no longer read. */
const FORGET_AFTER_MS = 60_000;
/** Redis slow or unreachable: a first check waits no longer, and decides on what is known. */
const FIRST_READ_MS = 500;

interface Others {
  count: number;
  checkedAt: number;
}

export class ClusterQuota {
  readonly #others = new Map<string, Others>();
  /** First reads under way, per app: concurrent first connections wait for the same one. */
  readonly #firstReads = new Map<string, Promise<void>>();
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

  /**
   * For a connection to `url` (`/app/{key}…`) of an app with a quota this node does not follow
   * yet: resolves once the other nodes' count is read, and the handshake can be decided. Undefined
   * (decide now) for every other connection, which costs reading the target and a lookup.
   */
  firstCheck(url: string, apps: AppStore): Promise<void> | undefined {
    const target = readTarget(url);
    const app = target.ok ? apps.byKey(target.key) : undefined;
    if (app?.maxConnections == null || this.#others.has(app.id)) return undefined;
    const appId = app.id;
    let pending = this.#firstReads.get(appId);
    if (pending) return pending;
    const others: Others = { count: 0, checkedAt: this.now() };
    let timer: NodeJS.Timeout | undefined;
    pending = Promise.race([
      this.adapter.connectionCount(appId).then(
        (total) => void (others.count = Math.max(0, total - this.local(appId))),
        () => undefined,
      ),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_READ_MS))),
    ]).then(() => {
      clearTimeout(timer);
      this.#firstReads.delete(appId);
      this.#others.set(appId, others);
    });
    this.#firstReads.set(appId, pending);
    return pending;
  }

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
