/**
 * Per-channel routing (issue #11): what a node pays for messages published on a channel it does
 * not hold. Two Pushwire nodes on one Redis: node A holds every subscriber of `fanout`
 * (--subscribers, default 1,000), node B a few sockets on other channels. The bench publishes
 * --count messages on `fanout` through A's HTTP API (batches of 10) and reads node B's CPU from
 * /proc/<pid>/stat over the publishing, and over an idle stretch as long, for its baseline.
 *
 *   node --import tsx bench/routing-cost.ts --count 20000 [--redis redis://127.0.0.1:6379]
 *     [--entry /path/to/src/cli/bin.ts]   (another checkout, for a before/after)
 *     [--cluster 127.0.0.1:7301,...]       (a Redis Cluster instead of --redis)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import PusherServer from 'pusher';
import { WebSocket } from 'ws';
import { sampleProcess, sleep } from './lib/proc-stats.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    subscribers: { type: 'string', default: '1000' },
    others: { type: 'string', default: '5' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    cluster: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    entry: { type: 'string', default: new URL('../src/cli/bin.ts', import.meta.url).pathname },
  },
});
const count = Number(values.count);
const prefix = `pushwire-bench:routing:${randomUUID().slice(0, 8)}`;
const redisEnv: Record<string, string> = values.cluster
  ? { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(values.cluster.split(',')) }
  : { PUSHWIRE_REDIS_URL: values.redis };

function startNode(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', values.entry, 'start', '--port', '0'], {
    env: {
      ...process.env,
      ...redisEnv,
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_PREFIX: prefix,
      PUSHWIRE_APPS: JSON.stringify([{ id: '1', key: 'app-key', secret: 'app-secret' }]),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on ws:\/\/[^:]+:(\d+)/.exec(output)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)));
  });
}

/** A raw protocol-7 client subscribed to `channel`; counts the events it gets. */
function subscribe(port: number, channel: string, counter: { n: number }): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7`);
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const { event } = JSON.parse(data.toString()) as { event: string };
      if (event === 'pusher:connection_established')
        socket.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
      else if (event === 'pusher_internal:subscription_succeeded') resolve(socket);
      else if (event === 'tick') counter.n++;
      else if (event === 'pusher:ping') socket.send(JSON.stringify({ event: 'pusher:pong' }));
    });
  });
}

const cpuOf = (pid: number) => sampleProcess(pid)?.cpuSeconds ?? 0;

const [a, b] = [await startNode(), await startNode()];
const onA = { n: 0 };
const onB = { n: 0 };
const sockets: WebSocket[] = [];
for (let i = 0; i < Number(values.subscribers); i += 50) {
  const wave = Math.min(50, Number(values.subscribers) - i);
  sockets.push(
    ...(await Promise.all(Array.from({ length: wave }, () => subscribe(a.port, 'fanout', onA)))),
  );
}
for (let i = 0; i < Number(values.others); i++)
  sockets.push(await subscribe(b.port, `elsewhere-${i}`, onB));
const api = new PusherServer({
  appId: '1',
  key: 'app-key',
  secret: 'app-secret',
  host: '127.0.0.1',
  port: String(a.port),
});
await sleep(2_000);

const batch = Array.from({ length: 10 }, () => ({ channel: 'fanout', name: 'tick', data: '{}' }));
const sendOne = () =>
  api.triggerBatch(batch).then(
    () => true,
    () => false,
  );
/** Publishes `n` messages, 8 requests in flight; a 503 (a busy machine) is sent again. */
async function publishRound(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        next += 10;
        while (!(await sendOne())) await sleep(50);
      }
    }),
  );
}

// Rounds of publishing, each followed by as long a stretch with nothing published (node B's
// baseline: heartbeats, timers), so that drifts in the machine's load hit both alike.
const rounds = Number(values.rounds);
let wallMs = 0;
let busyA = 0;
let busyB = 0;
let idleB = 0;
let listeners = -1;
for (let round = 0; round < rounds; round++) {
  const started = Date.now();
  const [a0, b0] = [cpuOf(a.child.pid!), cpuOf(b.child.pid!)];
  await publishRound(count / rounds);
  const expected = (Number(values.subscribers) * count * (round + 1)) / rounds;
  while (onA.n < expected && Date.now() - started < 300_000) await sleep(20);
  const took = Date.now() - started;
  wallMs += took;
  busyA += cpuOf(a.child.pid!) - a0;
  busyB += cpuOf(b.child.pid!) - b0;
  if (listeners < 0) listeners = await listenersOf(`${prefix}:{1:fanout}:bus`);
  const idle0 = cpuOf(b.child.pid!);
  await sleep(took);
  idleB += cpuOf(b.child.pid!) - idle0;
}

/** Who listens on a pub/sub channel: node A alone, when routing is per channel. */
async function listenersOf(route: string): Promise<number> {
  if (!values.cluster) {
    const redis = new Redis(values.redis);
    const reply = (await redis.call('PUBSUB', 'NUMSUB', route)) as unknown[];
    redis.disconnect();
    return Number(reply[1] ?? 0);
  }
  const seeds = values.cluster.split(',').map((seed) => {
    const [host = '', port = ''] = seed.split(':');
    return { host, port: Number(port) };
  });
  const cluster = new Cluster(seeds);
  await cluster.ping();
  let total = 0;
  for (const master of cluster.nodes('master')) {
    const reply = (await master.call('PUBSUB', 'SHARDNUMSUB', route)) as unknown[];
    total += Number(reply[1] ?? 0);
  }
  cluster.disconnect();
  return total;
}

console.log(
  JSON.stringify({
    entry: values.entry,
    redis: values.cluster ? `cluster ${values.cluster}` : values.redis,
    published: count,
    rounds,
    subscribersOnA: Number(values.subscribers),
    socketsOnB: Number(values.others),
    deliveredOnA: onA.n,
    deliveredOnB: onB.n,
    listenersOfTheChannel: listeners,
    wallMs,
    nodeACpuSeconds: Number(busyA.toFixed(2)),
    nodeBCpuSeconds: Number(busyB.toFixed(2)),
    nodeBIdleCpuSeconds: Number(idleB.toFixed(2)),
    nodeBMicrosPerMessage: Number(((busyB * 1e6) / count).toFixed(2)),
    nodeBMicrosPerMessageOverIdle: Number((((busyB - idleB) * 1e6) / count).toFixed(2)),
  }),
);
for (const socket of sockets) socket.terminate();
for (const node of [a, b]) node.child.kill('SIGTERM');
