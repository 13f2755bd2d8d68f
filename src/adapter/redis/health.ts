/**
 * Whether this node can use Redis now: `up`, `syncing` (back, rewriting its share) or `down`.
 * While not up, API queries fail fast (503) and joins wait, bounded in time and number, for the
 * resynchronization; an outage is reported once when it starts and once when it ends.
 */
import { AdapterUnavailableError } from '../../errors.ts';

export type HealthState = 'up' | 'syncing' | 'down';
export type OutageEvent = { state: 'down'; error: unknown } | { state: 'up'; ms: number };

export class Health {
  state: HealthState = 'down';
  closing = false;
  #downSince = 0;
  readonly #waiting = new Set<() => void>();

  constructor(
    private readonly onOutage: (event: OutageEvent) => void,
    private readonly joinHoldMs: number,
    private readonly maxHeldJoins: number,
  ) {}

  get up(): boolean {
    return this.state === 'up';
  }

  /** Redis is unreachable: API calls answer 503 and joins wait until it is resynchronized. */
  markDown(error: unknown): void {
    if (this.state === 'down' || this.closing) return;
    this.state = 'down';
    this.#downSince = Date.now();
    this.onOutage({ state: 'down', error });
  }

  markSyncing(): void {
    this.state = 'syncing';
  }

  /** Resynchronized: held joins go on, and the outage (if any) is reported with its length. */
  markUp(): void {
    this.state = 'up';
    if (this.#downSince > 0) this.onOutage({ state: 'up', ms: Date.now() - this.#downSince });
    this.#downSince = 0;
    this.wakeAll();
  }

  wakeAll(): void {
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
  }

  /** Waits (bounded in time and number) until Redis is usable, else rejects. */
  async whenUp(): Promise<void> {
    if (this.state === 'up') return;
    if (this.closing || this.#waiting.size >= this.maxHeldJoins)
      throw new AdapterUnavailableError();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(wake);
        reject(new AdapterUnavailableError());
      }, this.joinHoldMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.add(wake);
    });
  }

  /** Runs a Redis query for the API; fails fast while Redis is unreachable. */
  async query<T>(run: () => Promise<T>): Promise<T> {
    if (this.state !== 'up') throw new AdapterUnavailableError();
    try {
      return await run();
    } catch (error) {
      this.markDown(error);
      throw new AdapterUnavailableError(undefined, error);
    }
  }

  /** Why the node should get no new clients, or undefined. */
  notReady(): string | undefined {
    if (this.state === 'up') return undefined;
    return `redis ${this.state === 'down' ? 'unreachable' : 'resynchronizing'}`;
  }
}

/** Rejects with AdapterUnavailableError when `promise` takes longer than `ms`. */
export function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new AdapterUnavailableError()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
