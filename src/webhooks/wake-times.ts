/**
 * The times a dispatcher has to look at its queue, earliest first. Times are rounded up to
 * 10 ms, so the set stays small: jobs fall due within the retry window (5 minutes), which is
 * at most 30,000 distinct times however many jobs there are.
 */
const GRAIN_MS = 10;

export class WakeTimes {
  /** Sorted, without repeats. */
  readonly #times: number[] = [];

  add(at: number): void {
    const time = Math.ceil(at / GRAIN_MS) * GRAIN_MS;
    const times = this.#times;
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((times[middle] ?? 0) < time) low = middle + 1;
      else high = middle;
    }
    if (times[low] !== time) times.splice(low, 0, time);
  }

  first(): number | undefined {
    return this.#times[0];
  }

  /** Forgets every time up to `now`: a look at the queue now covers them. */
  dropUntil(now: number): void {
    let count = 0;
    while (count < this.#times.length && (this.#times[count] ?? 0) <= now) count++;
    this.#times.splice(0, count);
  }
}
