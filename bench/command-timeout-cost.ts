/**
 * What a per-command timeout costs the node's CPU: 200,000 GETs, 500 in flight, against a
 * redis-server of its own, for each way of bounding a command. `none`: no timeout; `ioredis`:
 * ioredis's own `commandTimeout`; `then`: the first answerInTime (a promise reaction per
 * command, kept here to compare); `hooks`: the command connection of the Redis adapter
 * (link.ts: the command's resolve/reject wrapped). Client CPU (user + system) per command.
 *
 *   node --import tsx bench/command-timeout-cost.ts --port 7658 --rounds 3
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Redis, type Command } from 'ioredis';
import { COMMAND_TIMEOUT_MS, openCommands } from '../src/adapter/redis/link.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7658' },
    rounds: { type: 'string', default: '3' },
    commands: { type: 'string', default: '200000' },
    kinds: { type: 'string', default: 'none,ioredis,then,hooks' },
  },
});
const port = Number(values.port);
const N = Number(values.commands);
const WINDOW = 500;
const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
await new Promise((resolve) => setTimeout(resolve, 500));

const base = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
};

/** The answerInTime of the first fix (a promise reaction per command), for comparison. */
function withThen(client: Redis, ms: number): Redis {
  const armed = new WeakSet<Command>();
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
  client.sendCommand = ((command: Command, ...rest: unknown[]) => {
    if (!armed.has(command)) {
      armed.add(command);
      let answered = false;
      const late = () => {
        if (!answered) command.reject(new Error('Command timed out'));
      };
      const timer = setTimeout(() => setImmediate(late), ms);
      const settled = () => {
        answered = true;
        clearTimeout(timer);
      };
      command.promise.then(settled, settled);
    }
    return send(command, ...rest);
  }) as never;
  return client;
}

const kinds: Record<string, () => Redis> = {
  none: () => new Redis(url, base),
  ioredis: () => new Redis(url, { ...base, commandTimeout: COMMAND_TIMEOUT_MS }),
  then: () => withThen(new Redis(url, base), COMMAND_TIMEOUT_MS),
  hooks: () => openCommands({ url }),
};

async function run(name: string) {
  const redis = kinds[name]!();
  await redis.connect();
  await redis.set('k', 'v');
  const start = performance.now();
  const cpu = process.cpuUsage();
  let sent = 0;
  const worker = async () => {
    while (sent < N) {
      sent++;
      await redis.get('k');
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - start;
  redis.disconnect();
  return { name, ms: Math.round(ms), cpuUsPerCommand: +((used.user + used.system) / N).toFixed(2) };
}

try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of values.kinds.split(',')) console.log(JSON.stringify(await run(name)));
  }
} finally {
  server.kill();
}
