/**
 * A budget of log lines per window, so that a fault a client can trigger at will (an error it
 * provokes on every frame, say) cannot fill the disk. Each line allowed after a refusal says
 * how many were left out. The budget itself is pure: the caller passes the time.
 */
import type { Logger } from './logger.ts';

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

/** Log lines per 10 s for the whole process; a client can provoke either kind on every frame. */
const WINDOW_MS = 10_000;
const INTERNAL_ERROR_LINES = 20;
const CLIENT_MISTAKE_LINES = 50;

/** The two logs a client can provoke at will: internal errors, and its own mistakes at debug. */
export class BudgetedLog {
  readonly #internalErrors = new LogBudget(INTERNAL_ERROR_LINES, WINDOW_MS);
  readonly #clientMistakes = new LogBudget(CLIENT_MISTAKE_LINES, WINDOW_MS);

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** At error, with the stack, within the budget. */
  internalError(fields: object, message: string): void {
    const allowed = this.#internalErrors.take(this.now());
    if (allowed) this.logger.error({ ...fields, ...allowed }, message);
  }

  /** At debug, within the budget: a client's mistakes are its own, not the operator's. */
  clientMistake(fields: object, message: string): void {
    if (!this.logger.isLevelEnabled('debug')) return;
    const allowed = this.#clientMistakes.take(this.now());
    if (allowed) this.logger.debug({ ...fields, ...allowed }, message);
  }
}
