/**
 * Publishes events over the HTTP API with keep-alive connections: either as fast as a window of
 * in-flight requests allows, or paced at a fixed rate. Every event's `data` carries its publish
 * time so receivers can measure latency.
 */
import { Agent, request } from 'node:http';
import type { Target } from './args.ts';
import { signedApiPath } from './signing.ts';

export interface PublishPlan {
  /** Requests to send; each publishes `batch` events (1 means POST /events). */
  readonly requests: number;
  /** Items per `batch_events` request (≤ 10); 1 uses `/events`. */
  readonly batch: number;
  /** Channel of item `j` of request `i`. */
  readonly channelOf: (request: number, item: number) => string;
  /** Events per second, or 0 for unpaced. */
  readonly rate: number;
  /** In-flight requests when unpaced. */
  readonly concurrency: number;
  /** Bytes of padding in each event's data. */
  readonly padding?: number;
}

export interface PublishResult {
  readonly sent: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const preciseNow = () => performance.timeOrigin + performance.now();

/** `data` of a bench event: the publish time between `@@` markers. */
export const stampedData = (padding: string) => `@@${preciseNow().toFixed(3)}@@${padding}`;

export async function publish(target: Target, plan: PublishPlan): Promise<PublishResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, plan.concurrency) });
  const padding = 'x'.repeat(plan.padding ?? 0);
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const startedAt = preciseNow();

  const sendOne = async (index: number) => {
    const body = requestBody(plan, index, padding);
    const resource = plan.batch > 1 ? 'batch_events' : 'events';
    const path = signedApiPath(target.appId, target.key, target.secret, 'POST', resource, body);
    const outcome = await post(target, agent, path, body);
    if (outcome === undefined) sent++;
    else {
      failed++;
      firstError ??= outcome;
    }
  };

  if (plan.rate > 0) {
    // Paced: request i is due at start + i * interval; late requests go out at once.
    const interval = (1000 * plan.batch) / plan.rate;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < plan.requests; i++) {
      const wait = startedAt + i * interval - preciseNow();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(sendOne(i));
    }
    await Promise.all(pending);
  } else {
    const lane = async () => {
      while (next < plan.requests) await sendOne(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, lane));
  }
  agent.destroy();
  return {
    sent,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    startedAt,
    finishedAt: preciseNow(),
  };
}

function requestBody(plan: PublishPlan, index: number, padding: string): string {
  if (plan.batch <= 1) {
    return JSON.stringify({
      name: 'bench',
      channel: plan.channelOf(index, 0),
      data: stampedData(padding),
    });
  }
  const batch = [];
  for (let item = 0; item < plan.batch; item++) {
    batch.push({ name: 'bench', channel: plan.channelOf(index, item), data: stampedData(padding) });
  }
  return JSON.stringify({ batch });
}

/** Resolves undefined on a 2xx answer, else a short description of the failure. */
function post(target: Target, agent: Agent, path: string, body: string) {
  return new Promise<string | undefined>((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(undefined);
          else resolve(`HTTP ${status}: ${Buffer.concat(chunks).toString().slice(0, 200)}`);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(error.message));
    req.end(body);
  });
}
