/**
 * What the shared webhook queue costs Redis: the commands one node sends per webhook and while
 * idle, read from a redis-server of its own (`INFO commandstats`, port 7202 by default).
 *
 *   node --import tsx bench/webhook-queue-cost.ts [--webhooks 1000] [--redis-port 7202]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { StaticAppStore } from '../src/apps/app-store.ts';
import { appSchema } from '../src/config/schema.ts';
import { WebhookDispatcher, fetchSender, systemScheduler } from '../src/webhooks/dispatcher.ts';
import { RedisWebhookQueue } from '../src/webhooks/redis-queue.ts';

const { values } = parseArgs({
  options: {
    webhooks: { type: 'string', default: '1000' },
    'redis-port': { type: 'string', default: '7202' },
  },
});
const count = Number(values.webhooks);
const port = Number(values['redis-port']);
const url = `redis://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redisServer = spawn(
  'redis-server',
  ['--port', String(port), '--save', '', '--appendonly', 'no'],
  {
    stdio: 'ignore',
  },
);
const admin = new Redis(url, { retryStrategy: () => 50 });
admin.on('error', () => undefined);
await admin.ping();

/** Calls per command since the last reset (EVALSHA counts each script run). */
async function calls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const result: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (!['info', 'config', 'ping'].includes(match[1]!)) result[match[1]!] = Number(match[2]);
  }
  await admin.config('RESETSTAT');
  return result;
}

let received = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
const app = appSchema.parse({ id: 'a', key: 'k', secret: 's', webhooks: [{ url: hook }] });
const dispatcher = new WebhookDispatcher({
  apps: new StaticAppStore([app]),
  queue: await RedisWebhookQueue.connect({ url, prefix: 'bench' }),
  send: fetchSender,
  scheduler: systemScheduler,
  removalDelayMs: 3000,
});

await sleep(200);
await calls();
await sleep(10_000);
const idle = await calls();

for (let i = 0; i < count; i++) {
  dispatcher.sink({ name: 'channel_occupied', appId: 'a', channel: `room-${i}` });
  if (i % 50 === 49) await sleep(5);
}
while (received < count) await sleep(20);
const busy = await calls();

console.log(JSON.stringify({ idleFor10s: idle, webhooks: count, busy }));
await dispatcher.close();
receiver.close();
admin.disconnect();
redisServer.kill('SIGKILL');
