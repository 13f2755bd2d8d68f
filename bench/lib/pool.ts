/**
 * The coordinator's side of the load generator: forks worker processes, spreads clients over
 * them, and merges what they report. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Target } from './args.ts';
import { Histogram } from './histogram.ts';
import { sleep } from './proc-stats.ts';
import type { Command, Report } from './worker-protocol.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class Worker {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  count = 0;

  constructor() {
    this.#child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result);
    });
    this.#child.on('exit', (code) => {
      for (const pending of this.#pending.values())
        pending.reject(new Error(`worker exit ${code}`));
      this.#pending.clear();
    });
  }

  call<T>(command: Command, timeoutMs = 120_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`worker did not answer ${command.cmd} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ id, command });
    });
  }

  kill(): void {
    this.#child.kill();
  }
}

export interface Totals {
  subscribed: number;
  errors: number;
  firstError: string | undefined;
  memberAdded: number;
  events: number;
  firstSentAt: number;
  lastSubscribedAt: number;
  lastMemberAddedAt: number;
  lastEventAt: number;
  closedByServer: number;
  closeCodes: Record<string, number>;
  open: number;
  cpuMicros: number;
  histogram: Histogram;
}

export class ClientPool {
  readonly #workers: Worker[];

  constructor(
    readonly target: Target,
    /** `xhr_streaming`: the clients use pusher-js's HTTP fallback instead of a WebSocket. */
    readonly transport: 'ws' | 'xhr_streaming' = 'ws',
  ) {
    this.#workers = Array.from({ length: target.workers }, () => new Worker());
  }

  get url(): string {
    const { host, port, key } = this.target;
    const query = '?protocol=7&client=pushwire-bench&version=1.0';
    return this.transport === 'ws'
      ? `ws://${host}:${port}/app/${key}${query}`
      : `http://${host}:${port}/pusher/app/${key}${query}`;
  }

  /** Opens `total` clients, split evenly (in even-sized slices, for ping-pong pairs). */
  async connect(total: number, concurrencyPerWorker = 100) {
    const workers = this.#workers;
    let firstIndex = 0;
    const results = await Promise.all(
      workers.map((worker, i) => {
        const remaining = total - firstIndex;
        const share =
          i === workers.length - 1 ? remaining : Math.ceil(total / workers.length / 2) * 2;
        worker.count = Math.min(share, remaining);
        const start = firstIndex;
        firstIndex += worker.count;
        return worker.call<{ connected: number; failed: number; ms: number }>({
          cmd: 'connect',
          url: this.url,
          count: worker.count,
          firstIndex: start,
          concurrency: concurrencyPerWorker,
        });
      }),
    );
    return {
      connected: sum(results.map((r) => r.connected)),
      failed: sum(results.map((r) => r.failed)),
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  async prepare(kind: 'public' | 'private' | 'presence', prefix: string, groupSize: number) {
    const { key, secret } = this.target;
    await this.#all({ cmd: 'prepare', kind, prefix, groupSize, key, secret });
  }

  async subscribe(): Promise<void> {
    await this.#all({ cmd: 'subscribe' });
  }

  async reset(): Promise<void> {
    await this.#all({ cmd: 'reset' });
  }

  async stopReading(): Promise<void> {
    await this.#all({ cmd: 'stop-reading' });
  }

  async report(histogram = false): Promise<Totals> {
    const reports = await this.#all<Report>({ cmd: 'report', histogram });
    const merged = new Histogram();
    const closeCodes: Record<string, number> = {};
    for (const report of reports) {
      if (report.histogram) merged.merge(Histogram.fromSparse(report.histogram));
      for (const [code, n] of Object.entries(report.closeCodes))
        closeCodes[code] = (closeCodes[code] ?? 0) + n;
    }
    const times = (pick: (r: Report) => number) => reports.map(pick).filter((t) => t > 0);
    return {
      subscribed: sum(reports.map((r) => r.subscribed)),
      errors: sum(reports.map((r) => r.errors)),
      firstError: reports.find((r) => r.firstError !== undefined)?.firstError,
      memberAdded: sum(reports.map((r) => r.memberAdded)),
      events: sum(reports.map((r) => r.events)),
      firstSentAt: Math.min(...times((r) => r.firstSentAt), Infinity),
      lastSubscribedAt: Math.max(...times((r) => r.lastSubscribedAt), 0),
      lastMemberAddedAt: Math.max(...times((r) => r.lastMemberAddedAt), 0),
      lastEventAt: Math.max(...times((r) => r.lastEventAt), 0),
      closedByServer: sum(reports.map((r) => r.closedByServer)),
      closeCodes,
      open: sum(reports.map((r) => r.open)),
      cpuMicros: sum(reports.map((r) => r.cpuMicros)),
      histogram: merged,
    };
  }

  /**
   * Polls until `done` holds, or nothing changed for `idleMs`, or `maxMs` passed.
   * Returns the last report either way.
   */
  async waitFor(
    done: (totals: Totals) => boolean,
    progress: (totals: Totals) => number,
    idleMs = 3_000,
    maxMs = 120_000,
  ): Promise<Totals> {
    const deadline = Date.now() + maxMs;
    let last = await this.report();
    let lastProgress = progress(last);
    let lastChange = Date.now();
    while (!done(last) && Date.now() < deadline && Date.now() - lastChange < idleMs) {
      await sleep(100);
      last = await this.report();
      if (progress(last) !== lastProgress) {
        lastProgress = progress(last);
        lastChange = Date.now();
      }
    }
    return last;
  }

  async pingPong(durationMs: number) {
    const results = await this.#all<{ roundTrips: number; ms: number }>(
      { cmd: 'pingpong', durationMs },
      durationMs + 30_000,
    );
    return {
      roundTrips: sum(results.map((r) => r.roundTrips)),
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  async close(): Promise<void> {
    await this.#all({ cmd: 'close' }, 60_000);
  }

  /** Ends every worker process. */
  destroy(): void {
    for (const worker of this.#workers) worker.kill();
  }

  #all<T>(command: Command, timeoutMs?: number): Promise<T[]> {
    return Promise.all(this.#workers.map((worker) => worker.call<T>(command, timeoutMs)));
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
