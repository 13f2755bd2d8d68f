/**
 * Whether a Redis node may use Redis now: `up`, `syncing` (back, rewriting its share) or `down`.
 * While not up, API calls fail at once (503) and joins wait, bounded in time and number; the
 * outage is reported once when it starts and once, with its length, when it ends.
 */
import { AdapterUnavailableError } from '../../errors.ts';

export type OutageEvent = { state: 'down'; error: unknown } | { state: 'up'; ms: number };
type State = 'up' | 'syncing' | 'down';

export class Health {
  #state: State = 'down';
  #downSince = 0;
  #closing = false;
  readonly #waiting = new Set<() => void>();

  constructor(
    private readonly onOutage: (event: OutageEvent) => void,
    private readonly holdMs: number,
    private readonly maxHeld: number,
  ) {}

  get up(): boolean {
    return this.#state === 'up';
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Why the node should get no new clients, or undefined. */
  notReady(): string | undefined {
    if (this.#state === 'up') return undefined;
    return `redis ${this.#state === 'down' ? 'unreachable' : 'resynchronizing'}`;
  }

  markDown(error: unknown): void {
    if (this.#state === 'down' || this.#closing) return;
    this.#state = 'down';
    this.#downSince = Date.now();
    this.onOutage({ state: 'down', error });
  }

  markSyncing(): void {
    this.#state = 'syncing';
  }

  /** Resynchronized: held joins go on, and the outage (if any) is reported with its length. */
  markUp(): void {
    this.#state = 'up';
    if (this.#downSince > 0) this.onOutage({ state: 'up', ms: Date.now() - this.#downSince });
    this.#downSince = 0;
    this.#wakeAll();
  }

  /** Waits until Redis is usable; rejects after `holdMs`, or at once beyond `maxHeld` waiting. */
  async whenUp(): Promise<void> {
    if (this.#state === 'up') return;
    if (this.#closing || this.#waiting.size >= this.maxHeld) throw new AdapterUnavailableError();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(wake);
        reject(new AdapterUnavailableError());
      }, this.holdMs);
      const wake = () => {
        clearTimeout(timer);
        if (this.#state === 'up') resolve();
        else reject(new AdapterUnavailableError());
      };
      this.#waiting.add(wake);
    });
  }

  /** Runs a read for the API; fails fast while Redis is unreachable. */
  async query<T>(run: () => Promise<T>): Promise<T> {
    if (this.#state !== 'up') throw new AdapterUnavailableError();
    try {
      return await run();
    } catch (error) {
      this.markDown(error);
      throw new AdapterUnavailableError(undefined, error);
    }
  }

  close(): void {
    this.#closing = true;
    this.#state = 'down';
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const wake of waiting) wake();
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
