/**
 * The JS heap one subscription keeps, in process and without sockets: N Sessions on a
 * LocalAdapter subscribe (private: one channel each; presence: groups of `--group` members, as
 * the socket scenarios do), and the heap after a full collection is compared with the heap before
 * the subscribe frames arrived. It is deterministic, unlike RSS on a shared machine, and counts
 * only what Pushwire retains (not V8's young generation or socket buffers).
 * It also reports the heap one opened Session holds before it subscribes.
 * Usage: node --expose-gc --import tsx bench/subscription-memory.ts [--kind private|presence]
 *        [--sessions 10000] [--group 50]
 */
import { Session } from '../src/connection/session.ts';
import { inProcessSessions } from './lib/in-process.ts';
import { subscribeFrame } from './lib/signing.ts';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const kind = option('kind', 'private');
const sessions = Number(option('sessions', '10000'));
const group = Number(option('group', kind === 'presence' ? '50' : '1'));
const { app, deps, transport, sent } = inProcessSessions();

const prepared = Array.from({ length: sessions }, (_, i) => {
  const socketId = `${1000 + i}.${2000 + i}`;
  const channel = `${kind}-mem-${Math.floor(i / group)}`;
  const frame = subscribeFrame(app, kind, socketId, channel, i);
  return { socketId, frame };
});
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const empty = heap();
const batch = prepared.map(({ socketId, frame }) => {
  const session = new Session(socketId, transport, deps);
  session.open();
  return { session, frame };
});
const before = heap();
for (const { session, frame } of batch) session.receive(frame);
await new Promise((resolve) => setImmediate(resolve));
const after = heap();
// The frames are the load generator's, not the server's: drop them, keep the sessions.
process.stdout.write(
  `${JSON.stringify({
    kind,
    sessions,
    group,
    // A Session as opened (connection_established sent), before it subscribes: Pushwire's own
    // per-connection objects, without ws's and node's.
    heapBytesPerSession: Math.round((before - empty) / sessions),
    heapBytesPerSubscription: Math.round((after - before) / sessions),
    sentBytes: sent.bytes,
  })}\n`,
);
for (const { session } of batch) await session.handleClose();
