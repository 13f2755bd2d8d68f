/**
 * Which Redis pub/sub channels this node listens on: one per channel its sockets hold (and one per
 * user signed in here, for node-addressed traffic), so a node receives only what it delivers.
 *
 * Changes are coalesced: every subscribe and unsubscribe asked for within one turn of the event
 * loop goes out as one command (chunked), so a storm of joins costs few round trips. `hold`
 * resolves once Redis confirmed the subscription: a join that waits for it misses nothing
 * published after its script ran.
 */

/** The pub/sub side of a link: SUBSCRIBE/UNSUBSCRIBE, or their sharded forms on a cluster. */
export interface RouteLink {
  subscribe(names: readonly string[]): Promise<void>;
  unsubscribe(names: readonly string[]): Promise<void>;
}

/** Channels per command: long enough to batch a storm, short enough to keep replies small. */
const CHUNK = 500;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class Routes {
  /** Subscribed, as Redis confirmed. */
  readonly #actual = new Set<string>();
  /** Being unsubscribed now: a hold must wait for it to finish and subscribe again. */
  readonly #dropping = new Set<string>();
  /** Joins in flight per name: wanted even before the socket is in the local share. */
  readonly #holds = new Map<string, number>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #touched = new Set<string>();
  #flushing: Promise<void> | undefined;
  #scheduled = false;

  constructor(
    private readonly link: RouteLink,
    /** Whether a name is wanted by what the node holds (its local share). */
    private readonly held: (name: string) => boolean,
  ) {}

  /** Subscribed names (for tests and the bench). */
  get size(): number {
    return this.#actual.size;
  }

  /** Whether a join of `name` is in flight. */
  holding(name: string): boolean {
    return (this.#holds.get(name) ?? 0) > 0;
  }

  has(name: string): boolean {
    return this.#actual.has(name);
  }

  /** Keeps `name` subscribed until `unhold`; resolves once it is. */
  hold(name: string): Promise<void> {
    this.#holds.set(name, (this.#holds.get(name) ?? 0) + 1);
    if (this.#actual.has(name) && !this.#dropping.has(name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiters = this.#waiters.get(name);
      if (waiters) waiters.push({ resolve, reject });
      else this.#waiters.set(name, [{ resolve, reject }]);
      this.touch(name);
    });
  }

  unhold(name: string): void {
    const n = (this.#holds.get(name) ?? 0) - 1;
    if (n > 0) this.#holds.set(name, n);
    else this.#holds.delete(name);
    this.touch(name);
  }

  /** What the node holds changed for `name`: (un)subscribe at the end of this turn if need be. */
  touch(name: string): void {
    this.#touched.add(name);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    });
  }

  /** The pub/sub link reconnected: subscribe again to everything wanted, in batches. */
  async resubscribe(wanted: Iterable<string>): Promise<void> {
    await this.#flushing;
    const names = new Set([...this.#actual, ...wanted, ...this.#holds.keys()]);
    this.#actual.clear();
    if (!(await this.#send([...names].filter((name) => this.#wanted(name)))))
      throw new Error('the pub/sub link is down');
  }

  #wanted(name: string): boolean {
    return (this.#holds.get(name) ?? 0) > 0 || this.held(name);
  }

  async #flush(): Promise<void> {
    while (this.#touched.size > 0) {
      const names = [...this.#touched];
      this.#touched.clear();
      const add = names.filter((n) => this.#wanted(n) && !this.#actual.has(n));
      const drop = names.filter((n) => !this.#wanted(n) && this.#actual.has(n));
      const dropped = new Set(drop);
      for (const name of names) if (this.#actual.has(name) && !dropped.has(name)) this.#wake(name);
      await this.#send(add);
      if (drop.length === 0) continue;
      for (const name of drop) this.#dropping.add(name);
      try {
        for (let i = 0; i < drop.length; i += CHUNK)
          await this.link.unsubscribe(drop.slice(i, i + CHUNK));
      } catch {
        // The link dropped: it forgets every subscription anyway, and resubscribes what is wanted.
      }
      for (const name of drop) {
        this.#actual.delete(name);
        this.#dropping.delete(name);
        // Wanted again meanwhile: subscribe again in the next round.
        if (this.#wanted(name)) this.#touched.add(name);
      }
    }
  }

  /**
   * Subscribes `names` and wakes their waiters. On failure the link is down: the waiters keep
   * waiting (bounded by their caller) for the resubscription that follows its return.
   */
  async #send(names: readonly string[]): Promise<boolean> {
    for (let i = 0; i < names.length; i += CHUNK) {
      const chunk = names.slice(i, i + CHUNK);
      try {
        await this.link.subscribe(chunk);
      } catch {
        return false;
      }
      for (const name of chunk) {
        this.#actual.add(name);
        this.#wake(name);
      }
    }
    return true;
  }

  #wake(name: string): void {
    for (const waiter of this.#waiters.get(name) ?? []) waiter.resolve();
    this.#waiters.delete(name);
  }

  #fail(name: string, error: unknown): void {
    for (const waiter of this.#waiters.get(name) ?? []) waiter.reject(error);
    this.#waiters.delete(name);
  }

  /** Rejects every waiter (closing). */
  close(): void {
    for (const name of [...this.#waiters.keys()]) this.#fail(name, new Error('closing'));
  }
}
