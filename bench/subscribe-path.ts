/**
 * The server's own work per subscription, in process and without sockets: a Session on a
 * LocalAdapter receives signed `pusher:subscribe` frames and its transport frames each reply as
 * the WebSocket transport would. It measures the JS path only (decode, authorize, join, reply
 * frame), which the socket scenarios cannot separate from syscalls and the load generator.
 * It reports time per subscription and the bytes allocated per subscription (garbage included):
 * what a storm hands the young generation, and what it promotes into RSS when it comes fast.
 * Usage: node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 --import tsx bench/subscribe-path.ts
 *        [--kind private|presence] [--sessions 10000] [--group 50] [--rounds 8]
 * (`--expose-gc` lets each round start from a collected heap, which steadies the figures; the
 * fixed large young generation lets the allocation round run without a collection, which it checks.)
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Session } from '../src/connection/session.ts';
import { inProcessSessions } from './lib/in-process.ts';
import { subscribeFrame } from './lib/signing.ts';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

const kind = option('kind', 'private');
const sessions = Number(option('sessions', '10000'));
const rounds = Number(option('rounds', '8'));
const group = Number(option('group', kind === 'presence' ? '50' : '1'));
const { app, deps, transport, sent } = inProcessSessions();
const gc = (globalThis as { gc?: () => void }).gc;

function prepare(round: number) {
  return Array.from({ length: sessions }, (_, i) => {
    const socketId = `${round}.${i}`;
    const channel = `${kind}-path-${round}-${Math.floor(i / group)}`;
    const frame = subscribeFrame(app, kind, socketId, channel, i);
    return { session: new Session(socketId, transport, deps), frame };
  });
}

async function storm(batch: ReturnType<typeof prepare>): Promise<void> {
  for (const { session, frame } of batch) session.receive(frame);
  // Every join settles within a few microtask turns on the LocalAdapter.
  await new Promise((resolve) => setImmediate(resolve));
}

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const batch = prepare(round);
  gc?.();
  const started = process.hrtime.bigint();
  await storm(batch);
  results.push(Number(process.hrtime.bigint() - started) / sessions / 1000);
  for (const { session } of batch) await session.handleClose();
}

// One more round, counted in bytes: heap and ArrayBuffer growth with no collection between.
let collections = 0;
let stormStart = Infinity;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.startTime >= stormStart) collections++;
});
observer.observe({ entryTypes: ['gc'] });
const batch = prepare(rounds);
gc?.();
await new Promise((resolve) => setImmediate(resolve));
stormStart = performance.now();
const before = process.memoryUsage();
await storm(batch);
const after = process.memoryUsage();
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
const allocated = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);

// The first rounds warm the JIT; report the best and the median of the rest.
const warm = results.slice(2).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    kind,
    sessions,
    group,
    rounds,
    microsPerSubscription: {
      best: Number(warm[0]?.toFixed(2)),
      median: Number(warm[Math.floor(warm.length / 2)]?.toFixed(2)),
    },
    // Null when a collection ran during the round (then the figure would undercount).
    allocatedBytesPerSubscription: collections === 0 ? Math.round(allocated / sessions) : null,
    sentBytes: sent.bytes,
  })}\n`,
);
