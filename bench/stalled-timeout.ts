/**
 * Whether a command's timeout beats a reply that is already in the socket when the event loop
 * stalled right after the command was sent (issue #10, case 3). Each trial sends one SET, then
 * holds the loop 1.2 s, past the 800 ms timeout, from the current turn, from a setImmediate or
 * from a timer; Redis answers within a millisecond. Compares ioredis's own `commandTimeout`
 * with the command connection of the Redis adapter (link.ts). Starts its own redis-server.
 *
 *   node --import tsx bench/stalled-timeout.ts --trials 30 --port 7653
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { COMMAND_TIMEOUT_MS, openCommands } from '../src/adapter/redis/link.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    port: { type: 'string', default: '7653' },
  },
});
const trials = Number(values.trials);
const port = Number(values.port);
const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
await new Promise((resolve) => setTimeout(resolve, 500));

const hold = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const stalls = {
  now: () => hold(1_200),
  immediate: () => setImmediate(() => hold(1_200)),
  timer: () => setTimeout(() => hold(1_200), 1),
};

async function run(label: string, redis: Redis) {
  const timedOut: Record<string, number> = { now: 0, immediate: 0, timer: 0 };
  for (let i = 0; i < trials; i++) {
    const where = (['now', 'immediate', 'timer'] as const)[i % 3]!;
    const reply = redis.set('bench:stalled', String(i));
    stalls[where]();
    await reply.catch(() => timedOut[where]!++);
  }
  const total = Object.values(timedOut).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({ label, trials, timedOutAlthoughAnswered: total, byStall: timedOut }),
  );
  redis.disconnect();
}

const plain = new Redis(url, {
  commandTimeout: COMMAND_TIMEOUT_MS,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
});
await new Promise((resolve) => plain.once('ready', resolve));
await run(`ioredis commandTimeout ${COMMAND_TIMEOUT_MS} ms`, plain);
const adapter = openCommands({ url });
await adapter.connect();
await run(`adapter command link (link.ts), ${COMMAND_TIMEOUT_MS} ms`, adapter);
server.kill('SIGKILL');
