/**
 * The server's own work per private subscription, in process and without sockets: a Session on a
 * LocalAdapter receives signed `pusher:subscribe` frames and its transport frames each reply as
 * the WebSocket transport would. It measures the JS path only (decode, authorize, join, reply
 * frame), which the socket scenarios cannot separate from syscalls and the load generator.
 * Usage: node --expose-gc --import tsx bench/subscribe-path.ts [--sessions 10000] [--rounds 8]
 * (`--expose-gc` lets each round start from a collected heap, which steadies the figures).
 */
import { Session } from '../src/connection/session.ts';
import { inProcessSessions } from './lib/in-process.ts';
import { privateAuth } from './lib/signing.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

const sessions = option('sessions', 10_000);
const rounds = option('rounds', 8);
const { app, deps, transport, sent } = inProcessSessions();

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const batch = Array.from({ length: sessions }, (_, i) => {
    const socketId = `${round}.${i}`;
    const channel = `private-path-${round}-${i}`;
    const auth = privateAuth(app.key, app.secret, socketId, channel);
    const frame = JSON.stringify({ event: 'pusher:subscribe', data: { auth, channel } });
    return { session: new Session(socketId, transport, deps), frame };
  });
  (globalThis as { gc?: () => void }).gc?.();
  const started = process.hrtime.bigint();
  for (const { session, frame } of batch) session.receive(frame);
  // Every join settles within a few microtask turns on the LocalAdapter.
  await new Promise((resolve) => setImmediate(resolve));
  results.push(Number(process.hrtime.bigint() - started) / sessions / 1000);
  for (const { session } of batch) await session.handleClose();
}
// The first rounds warm the JIT; report the best and the median of the rest.
const warm = results.slice(2).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    sessions,
    rounds,
    microsPerSubscription: {
      best: Number(warm[0]?.toFixed(2)),
      median: Number(warm[Math.floor(warm.length / 2)]?.toFixed(2)),
    },
    sentBytes: sent.bytes,
  })}\n`,
);
