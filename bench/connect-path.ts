/**
 * The server's own work per connection, in process and without sockets: the endpoint admits N
 * connections as pusher-js asks for them (handshake check, socket id, Session, counts, metrics,
 * `connection_established` framed as the WebSocket transport would), through the entry the HTTP
 * fallback uses, which is the WebSocket path minus `ws`'s listeners. It reports time and bytes
 * allocated per connection (garbage included), which the connect scenario cannot separate from
 * Node's HTTP parser, `ws` and the load generator.
 * Usage: node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 --import tsx
 *        bench/connect-path.ts [--connections 10000] [--rounds 8]
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { LocalAdapter } from '../src/adapter/local.ts';
import { StaticAppStore } from '../src/apps/app-store.ts';
import { appSchema, configSchema, DEFAULT_APP } from '../src/config/schema.ts';
import type { Transport } from '../src/connection/transport.ts';
import { createLogger } from '../src/observability/logger.ts';
import { Metrics } from '../src/observability/metrics.ts';
import type { OutboundFrame } from '../src/protocol/frames.ts';
import { WebSocketEndpoint } from '../src/transport/ws-endpoint.ts';
import { encodeTextFrame } from '../src/transport/ws-frame.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

const connections = option('connections', 10_000);
const rounds = option('rounds', 8);
const gc = (globalThis as { gc?: () => void }).gc;
const app = appSchema.parse({ ...DEFAULT_APP });
const sent = { bytes: 0 };
const transport: Transport = {
  send(frame: OutboundFrame) {
    sent.bytes += (frame.encodedWith(encodeTextFrame) as Buffer).length;
  },
  close() {},
};
const endpoint = new WebSocketEndpoint({
  config: configSchema.parse({}),
  apps: new StaticAppStore([app]),
  adapter: new LocalAdapter(),
  events: () => {},
  clock: { now: () => Date.now() },
  logger: createLogger('warn'),
  metrics: new Metrics(),
});
const url = `/app/${app.key}?protocol=7&client=js&version=8.6.0&flash=false`;

async function storm() {
  const sessions = [];
  for (let i = 0; i < connections; i++) {
    const admitted = endpoint.admit(url, undefined, transport);
    if (!admitted.ok) throw new Error(admitted.message);
    sessions.push(admitted.session);
  }
  return sessions;
}

async function release(sessions: Awaited<ReturnType<typeof storm>>) {
  for (const session of sessions) endpoint.release(session);
  await endpoint.settled();
}

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  gc?.();
  const started = process.hrtime.bigint();
  const sessions = await storm();
  results.push(Number(process.hrtime.bigint() - started) / connections / 1000);
  await release(sessions);
}

let collections = 0;
let stormStart = Infinity;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.startTime >= stormStart) collections++;
});
observer.observe({ entryTypes: ['gc'] });
gc?.();
await new Promise((resolve) => setImmediate(resolve));
stormStart = performance.now();
const before = process.memoryUsage();
const sessions = await storm();
const after = process.memoryUsage();
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
await release(sessions);
endpoint.close();
const allocated = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);

const warm = results.slice(2).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    connections,
    rounds,
    microsPerConnection: {
      best: Number(warm[0]?.toFixed(2)),
      median: Number(warm[Math.floor(warm.length / 2)]?.toFixed(2)),
    },
    // Null when a collection ran during the round (then the figure would undercount).
    allocatedBytesPerConnection: collections === 0 ? Math.round(allocated / connections) : null,
    sentBytes: sent.bytes,
  })}\n`,
);
