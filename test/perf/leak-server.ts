/**
 * The server under the leak test, in a process of its own started with --expose-gc, so memory
 * is measured after full collections and the test's own clients do not count. Answers IPC:
 * `measure` (after GC) and `publish`.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { LocalAdapter } from '../../src/adapter/local.ts';
import { resolveConfig } from '../../src/config/load.ts';
import { channelEvent } from '../../src/protocol/frames.ts';
import { startServer } from '../../src/server/server.ts';

type Request = { id: number; op: 'measure' } | { id: number; op: 'publish'; channel: string };

type GcOptions = { type: 'major'; execution: 'sync'; flavor: 'last-resort' };
const gc = (globalThis as { gc?: (options?: GcOptions) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const youngBytes = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
/** Before the server starts, as the server's idle collector reads it. */
const youngAtStart = youngBytes();

const adapter = new LocalAdapter();
const server = await startServer(
  resolveConfig({ host: '127.0.0.1', port: 0, logLevel: 'silent', metrics: false }),
  { adapter },
);
const appId = server.config.apps[0]!.id;

function collect(): void {
  gc!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  gc!();
}

async function measure() {
  // Let close handlers and their promises finish, then collect twice (weak refs, finalizers).
  await new Promise((resolve) => setTimeout(resolve, 100));
  // A memory-reducing collection, as V8's memory reducer runs on an idle process; from Node 22 it
  // also shrinks the young generation back. Then a plain gc(): on Node 20 the options form is only
  // a young collection (56 MB of garbage stayed put), which read as a 19.7 MB heap leak there.
  collect();
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    arrayBuffers: usage.arrayBuffers,
    heapPhysical: getHeapStatistics().total_physical_size,
    connections: server.connections(),
    youngGrown: youngBytes() > youngAtStart,
  };
}

process.on('message', (request: Request) => {
  if (request.op === 'publish') {
    adapter.publish(appId, request.channel, channelEvent('tick', request.channel, '{"n":1}'));
    process.send?.({ id: request.id, result: {} });
    return;
  }
  void measure().then((result) => process.send?.({ id: request.id, result }));
});
process.on('disconnect', () => void server.stop().then(() => process.exit(0)));
process.send?.({ id: -1, result: { url: server.wsUrl } });
