/**
 * A token bucket: `limit` events at once, refilled at `limit` per second. Unlike a fixed window
 * it never lets twice the limit through across a window boundary. Two numbers per connection.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number | undefined;

  constructor(private readonly limit: number) {
    this.#tokens = limit;
  }

  /** Takes one token at `now` (ms); false when none is left. */
  take(now: number): boolean {
    if (this.#updatedAt !== undefined) {
      const refill = ((now - this.#updatedAt) * this.limit) / 1000;
      this.#tokens = Math.min(this.limit, this.#tokens + refill);
    }
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
