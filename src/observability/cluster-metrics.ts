/**
 * `/metrics` for `--workers`: any worker may get the scrape, and it answers for all of them. The
 * worker asks the primary over the cluster's IPC channel; the primary collects every worker's
 * registry through prom-client's AggregatorRegistry (counters and gauges summed) and replies.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsText } from '../server/server.ts';

const REQUEST = 'pushwire:metrics-request';
const REPLY = 'pushwire:metrics-reply';
/** prom-client gives up on a silent worker after 5 s; a scrape waits a little longer than that. */
const REPLY_TIMEOUT_MS = 6_000;

interface Request {
  readonly type: typeof REQUEST;
  readonly id: number;
}
interface Reply {
  readonly type: typeof REPLY;
  readonly id: number;
  readonly contentType: string;
  readonly body?: string;
  readonly error?: string;
}

const isMessage = (message: unknown, type: string): boolean =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/** In the primary: answers every worker's scrape with the combined metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage(message, REQUEST)) return;
    const { id } = message as Request;
    const reply = (fields: Pick<Reply, 'body' | 'error'>) => {
      if (worker.isConnected())
        worker.send({ type: REPLY, id, contentType: aggregator.contentType, ...fields });
    };
    aggregator.clusterMetrics().then(
      (body) => reply({ body }),
      (error: unknown) => reply({ error: (error as Error).message }),
    );
  });
}

/**
 * In a worker: `scrape` is its `/metrics`, and `collectFrom` names the registry the primary
 * collects from it once the server is built (until then, prom-client's empty global registry).
 * A scrape the primary cannot answer fails, and the router answers it with a 500.
 */
export function workerMetrics(): {
  scrape: () => Promise<MetricsText>;
  collectFrom: (registry: Registry) => void;
} {
  // Constructing one installs prom-client's listener for the primary's collection requests.
  new AggregatorRegistry();
  let next = 0;
  const waiting = new Map<number, (reply: Reply) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage(message, REPLY)) return;
    const reply = message as Reply;
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const scrape = () =>
    new Promise<MetricsText>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer the metrics request'));
      }, REPLY_TIMEOUT_MS);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.body === undefined) reject(new Error(reply.error ?? 'no metrics'));
        else resolve({ contentType: reply.contentType, body: reply.body });
      });
      process.send?.({ type: REQUEST, id } satisfies Request);
    });
  return { scrape, collectFrom: (registry) => AggregatorRegistry.setRegistries([registry]) };
}
