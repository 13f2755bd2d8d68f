/** A fixed one-second window counter: small enough to keep one per connection. */
export class WindowCounter {
  #windowStart = 0;
  #count = 0;

  constructor(private readonly limit: number) {}

  /** Counts one event at `now` (ms); false when it exceeds the limit of its window. */
  take(now: number): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.limit) return false;
    this.#count++;
    return true;
  }
}
