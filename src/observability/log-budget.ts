/**
 * A budget of log lines per window, so that a fault a client can trigger at will (an error it
 * provokes on every frame, say) cannot fill the disk. Each line allowed after a refusal says
 * how many were left out. Pure: the caller passes the time.
 */
export class LogBudget {
  #windowStart = Number.NEGATIVE_INFINITY;
  #used = 0;
  #suppressed = 0;

  constructor(
    private readonly linesPerWindow: number,
    private readonly windowMs: number,
  ) {}

  /**
   * One line at `now` (ms): undefined when the window's budget is spent, otherwise how many
   * lines were left out since the last allowed one, as fields to log with it (none when none).
   */
  take(now: number): { suppressed?: number } | undefined {
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used >= this.linesPerWindow) {
      this.#suppressed++;
      return undefined;
    }
    this.#used++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed > 0 ? { suppressed } : {};
  }
}
