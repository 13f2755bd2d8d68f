/**
 * The periodic one-line summary an operator reads at `info`: connections, messages per second
 * each way, API calls and errors over the last interval. `TrafficSummary` is pure: the edges add
 * to `counts` and `logTraffic`'s timer calls `take`. Keep-alive frames (pings and pongs) are counted apart and left out of the
 * messages, so a server whose clients only keep their connections alive counts as idle, and an
 * idle interval gives no line at all.
 */
export interface TrafficCounts {
  opened: number;
  closed: number;
  /** Every frame received and sent, keep-alive included. */
  framesIn: number;
  framesOut: number;
  keepAliveIn: number;
  keepAliveOut: number;
  apiRequests: number;
  /** Connections refused, `pusher:error`s sent, and internal errors. */
  errors: number;
}

export interface TrafficLine {
  readonly connections: number;
  readonly opened: number;
  readonly closed: number;
  readonly messagesInPerSecond: number;
  readonly messagesOutPerSecond: number;
  readonly apiRequests: number;
  readonly errors: number;
  readonly text: string;
}

export const emptyTrafficCounts = (): TrafficCounts => ({
  opened: 0,
  closed: 0,
  framesIn: 0,
  framesOut: 0,
  keepAliveIn: 0,
  keepAliveOut: 0,
  apiRequests: 0,
  errors: 0,
});

const perSecond = (count: number, seconds: number) => Math.round((count / seconds) * 10) / 10;

export class TrafficSummary {
  /** Added to by the edges; the same object for the summary's life (reset in place). */
  readonly counts: TrafficCounts = emptyTrafficCounts();

  /** The line for the interval just ended (and a fresh count), or undefined if it was idle. */
  take(connections: number, seconds: number): TrafficLine | undefined {
    const c = { ...this.counts };
    Object.assign(this.counts, emptyTrafficCounts());
    const messagesIn = Math.max(0, c.framesIn - c.keepAliveIn);
    const messagesOut = Math.max(0, c.framesOut - c.keepAliveOut);
    const busy = c.opened + c.closed + messagesIn + messagesOut + c.apiRequests + c.errors;
    if (busy === 0) return undefined;
    const line = {
      connections,
      opened: c.opened,
      closed: c.closed,
      messagesInPerSecond: perSecond(messagesIn, seconds),
      messagesOutPerSecond: perSecond(messagesOut, seconds),
      apiRequests: c.apiRequests,
      errors: c.errors,
    };
    const text =
      `traffic: ${connections} connections (+${c.opened} -${c.closed}), ` +
      `${line.messagesInPerSecond} msg/s in, ${line.messagesOutPerSecond} msg/s out, ` +
      `${c.apiRequests} API calls, ${c.errors} errors in ${seconds} s`;
    return { ...line, text };
  }
}

/**
 * Writes the summary every `seconds` at `info` (nothing for an idle interval); returns the stop.
 * The timer never keeps the process alive and never lets an exception out.
 */
export function logTraffic(
  summary: TrafficSummary,
  options: {
    readonly seconds: number;
    readonly connections: () => number;
    readonly logger: { info(fields: object, text: string): void };
  },
): () => void {
  if (options.seconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    try {
      const line = summary.take(options.connections(), options.seconds);
      if (line) {
        const { text, ...fields } = line;
        options.logger.info(fields, text);
      }
    } catch {
      // A log line that cannot be written is not worth the process.
    }
  }, options.seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
