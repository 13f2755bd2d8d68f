/**
 * Throttles `subscription_count` announcements (PROTOCOL.md §10): on a channel of more than 100
 * subscribers, at most one every 5 seconds, so a reconnect storm of N clients does not cost N²
 * frames. Pure: time comes in as an argument. [U] Only the leading edge is sent; the count is
 * brought up to date by the next change after the interval, not by a timer.
 */
export class SubscriptionCountThrottle {
  readonly #lastSent = new Map<string, number>();

  constructor(
    private readonly threshold = 100,
    private readonly intervalMs = 5_000,
  ) {}

  /** Whether the count `count` of a channel may be announced at `now` (ms). */
  allow(appId: string, channel: string, count: number, now: number): boolean {
    const key = `${appId}\n${channel}`;
    if (count <= this.threshold) {
      this.#lastSent.delete(key);
      return true;
    }
    const last = this.#lastSent.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.#lastSent.set(key, now);
    return true;
  }
}
