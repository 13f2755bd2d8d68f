/**
 * API publishes in doubt: the transaction was written to Redis and the link failed before its
 * reply came (the command timed out, or the connection closed), so Redis may or may not have run
 * it. Answering 503 then would let the caller's retry deliver it twice; answering 200 could claim
 * what never happened. So before the API answers, the node finds out, within DOUBT_MS in all:
 *
 * 1. If the connection it was written on is still open (a timeout: Redis slow, or its reply
 *    late), a PING is sent on it. Redis answers a connection's commands in order, so a PONG
 *    within PROBE_MS means the transaction was processed: nothing of it can still run, and the
 *    other commands in flight on that connection (joins, beats) go on undisturbed.
 * 2. Otherwise the connection is closed, if still open, and the client reconnects; the old one
 *    is killed on Redis's side (`CLIENT KILL ID`), or is already gone. From then on Redis can
 *    no longer run what it had not run yet. Redis must still be the server the transaction was
 *    written to (same `run_id`): one that restarted may have delivered it and lost the log.
 * 3. Either way, what the channel's log holds is now final. It is read back, newest first, for
 *    the tag the transaction's first message carries (the PUBLISH script writes it with the
 *    message, in the same step), down to the entries older than the write, or the whole log
 *    when it was never trimmed.
 *
 * Found: it ran (200). Not found: it did not, and never will (503, a retry is safe). Anything
 * else (Redis still unreachable, restarted, a log trimmed past the write, out of time, a Redis
 * Cluster, whose shards this does not follow, or a Redis user without the rights to CLIENT KILL,
 * INFO, TIME or XREVRANGE) leaves it unknown: the API says so (504). So a publish in doubt is
 * answered at most COMMAND_TIMEOUT_MS + DOUBT_MS (2.8 s) after it was sent, plus event-loop lag.
 *
 * "Older than the write" compares stream ids (Redis's wall clock, in ms) with the time of the
 * write in two ways, and takes the earlier: the node's monotonic clock offset by Redis's clock
 * as read when the connection was made, and Redis's clock at the fence less the node's elapsed
 * time. Each is off only if a clock stepped (Redis's back, or forward / the node frozen without
 * its monotonic clock counting) by more than SLACK_MS; both at once would be needed to answer
 * 503 for a publish that ran.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Scripted } from './link.ts';

/** How long the node may spend learning a publish's outcome before it answers "unknown". */
export const DOUBT_MS = 2_000;
/** How long a PONG may take on the connection the transaction went out on (step 1). */
const PROBE_MS = 500;
/** Log entries read per command while looking for a tag. */
const PAGE = 100;
/** Entries this much older than the write (by Redis's clock) cannot be the publish. */
const SLACK_MS = 1_000;

export type Outcome = 'ran' | 'not-run' | 'unknown';

/** Where and when a transaction went out: its connection, and the node's clock then. */
export interface Written {
  readonly stream: object | undefined;
  readonly at: number;
}

/** Who a connection is on Redis's side, and which Redis server it reached. */
interface Identity {
  readonly id: string;
  readonly runId: string;
  /** Redis's wall clock less the node's monotonic clock, at most (ms), when it connected. */
  readonly offset: number;
}

/** Redis's wall clock in ms, from a TIME reply. */
const msOf = ([seconds, micros]: ReadonlyArray<number | string>) =>
  Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);

export class InDoubt {
  readonly #identities = new WeakMap<object, Identity>();
  readonly #waiting = new Set<() => void>();
  readonly #prefix = randomBytes(6).toString('base64url');
  #sequence = 0;

  constructor(
    private readonly redis: Scripted,
    /** The log's cap: a log shorter than it was never trimmed. */
    private readonly maxLogLength: number,
  ) {
    if (redis.isCluster) return;
    redis.on('ready', () => {
      void this.#learn();
      const waiting = [...this.#waiting];
      this.#waiting.clear();
      for (const wake of waiting) wake();
    });
  }

  /** A tag no other publish of any node carries. */
  tag(): string {
    return `${this.#prefix}.${(this.#sequence++).toString(36)}`;
  }

  /** Taken right before a transaction is sent. */
  written(): Written {
    return { stream: this.redis.isCluster ? undefined : this.redis.stream, at: performance.now() };
  }

  /** Whether the transaction `written` whose first message went to `log` with `tag` ran. */
  async settle(written: Written, log: string, tag: string): Promise<Outcome> {
    const identity = written.stream && this.#identities.get(written.stream);
    if (!identity) return 'unknown';
    const deadline = performance.now() + DOUBT_MS;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve('unknown'), DOUBT_MS);
    });
    try {
      return await Promise.race([this.#settle(written, identity, log, tag, deadline), outOfTime]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #settle(
    written: Written,
    identity: Identity,
    log: string,
    tag: string,
    deadline: number,
  ): Promise<Outcome> {
    try {
      if (!(await this.#processed(written.stream!))) {
        if (this.redis.stream === written.stream && this.redis.status === 'ready') {
          this.redis.disconnect(true);
        }
        if (!(await this.#reconnected(written.stream!, deadline))) return 'unknown';
        const replies = await this.redis
          .pipeline()
          .call('CLIENT', 'KILL', 'ID', identity.id)
          .info('server')
          .exec();
        if (!replies || replies.some(([error]) => error)) return 'unknown';
        if (runIdOf(String(replies[1]![1])) !== identity.runId) return 'unknown';
      }
      const fenced = msOf(await this.redis.time());
      const cutoff =
        Math.min(written.at + identity.offset, fenced - (performance.now() - written.at)) -
        SLACK_MS;
      return await this.#find(log, tag, cutoff, deadline);
    } catch {
      return 'unknown';
    }
  }

  /** Whether a PING on `stream`, still the open connection, is answered within PROBE_MS. */
  async #processed(stream: object): Promise<boolean> {
    if (this.redis.stream !== stream || this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const pong = this.redis.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_MS);
    });
    try {
      // Answered on the same connection: the disconnect below cannot have come in between.
      return (await Promise.race([pong, late])) && this.redis.stream === stream;
    } finally {
      clearTimeout(timer);
    }
  }

  async #find(log: string, tag: string, cutoff: number, deadline: number): Promise<Outcome> {
    let end = '+';
    let read = 0;
    while (performance.now() < deadline) {
      const page = await this.redis.xrevrange(log, end, '-', 'COUNT', PAGE);
      for (const [id, fields] of page) {
        if (fields[2] === 'p' && fields[3] === tag) return 'ran';
        if (Number(id.slice(0, id.indexOf('-'))) < cutoff) return 'not-run';
      }
      read += page.length;
      // The start of the log: complete unless it was ever trimmed (trimming keeps the cap).
      if (page.length < PAGE) return read < this.maxLogLength ? 'not-run' : 'unknown';
      end = `(${page[page.length - 1]![0]}`;
    }
    return 'unknown';
  }

  /** Until the client is ready on a connection other than `old`; false past the deadline. */
  #reconnected(old: object, deadline: number): Promise<boolean> {
    const ready = () => this.redis.status === 'ready' && this.redis.stream !== old;
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        if (!ready()) {
          this.#waiting.add(wake);
          return;
        }
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.#waiting.delete(wake);
          resolve(false);
        },
        Math.max(0, deadline - performance.now()),
      );
      this.#waiting.add(wake);
    });
  }

  /** Learns who the connection just made is, for a publish sent on it that ends in doubt. */
  async #learn(): Promise<void> {
    const stream = this.redis.stream;
    try {
      const [id, info, time] = await Promise.all([
        this.redis.client('ID'),
        this.redis.info('server'),
        this.redis.time(),
      ]);
      // Read on arrival: Redis's clock was read before, so this offset is at most the true one.
      const offset = msOf(time) - performance.now();
      if (this.redis.stream === stream) {
        this.#identities.set(stream, { id: String(id), runId: runIdOf(info), offset });
      }
    } catch {
      // Unknown: a publish on this connection that ends in doubt stays unknown.
    }
  }
}

const runIdOf = (info: string) => /run_id:(\w+)/.exec(info)?.[1] ?? '';
