/**
 * `pushwire start --workers N`: the primary process forks N workers that share the port
 * (node:cluster hands each new connection to the next worker in turn). Each worker is a full
 * server and a node of the Redis adapter, so the cluster's guarantees hold between workers: a
 * crashed worker's members are taken back by the others, as for any node that stops beating.
 * The primary serves no traffic; it restarts crashed workers with a backoff, combines their
 * metrics, and on SIGTERM or SIGINT drains every worker and waits for them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import { serveClusterMetrics } from '../observability/cluster-metrics.ts';

const READY = 'pushwire:worker-ready';
/** A worker that ran this long before it died is not crash-looping: its backoff starts over. */
const STABLE_MS = 30_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 15_000;

/** Sent by a worker once it listens; the primary prints the first banner it gets. */
export function announceWorkerReady(banner: string): void {
  process.send?.({ type: READY, banner });
}

/** Backoff before restarting a worker after `failures` quick crashes in a row (1 or more). */
export const restartDelayMs = (failures: number): number =>
  Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1));

export function runPrimary(config: Config, logger: Logger): Promise<number> {
  if (config.metrics) serveClusterMetrics();
  const started = new Map<Worker, number>();
  let failures = 0;
  let stopping = false;
  let bannerShown = false;

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      const ready = message as { type?: unknown; banner?: unknown };
      if (ready.type !== READY || bannerShown || typeof ready.banner !== 'string') return;
      bannerShown = true;
      process.stdout.write(
        `${ready.banner}  Workers:    ${config.workers} processes (primary pid ${process.pid})\n`,
      );
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) return;
    failures = lived >= STABLE_MS ? 1 : failures + 1;
    const delayMs = restartDelayMs(failures);
    logger.error(
      { pid: worker.process.pid, code, signal, restartInMs: delayMs },
      'worker exited; starting another',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delayMs);
  });

  for (let i = 0; i < config.workers; i++) fork();

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down every worker');
      // Each worker drains its own clients (4200) within shutdownTimeoutMs; one that has not
      // exited a second after that is killed.
      const force = setTimeout(() => {
        for (const worker of started.keys()) worker.process.kill('SIGKILL');
        resolve(1);
      }, config.shutdownTimeoutMs + 1_000);
      force.unref();
      const exited = [...started.keys()].map(
        (worker) => new Promise((done) => worker.once('exit', done)),
      );
      for (const worker of started.keys()) worker.process.kill('SIGTERM');
      void Promise.all(exited).then(() => {
        clearTimeout(force);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
