/**
 * The road to 1M connections (issue #11): K Pushwire processes on one Redis with M connections
 * spread over them, and per-unit costs read from /proc/<pid>/stat (the nodes' and redis-server's).
 *
 *   node --import tsx bench/scale.ts --scenario fanout|channels|presence
 *     [--nodes 2] [--connections 4000] [--count 2000] [--redis redis://127.0.0.1:6379]
 *
 * - fanout: every connection subscribes to one channel; --count messages published on it.
 * - channels: connection i holds `personal-i` and `group-⌊i/10⌋` (10 members, spread over the
 *   nodes as connections are); --count messages, alternately on a personal and a group channel.
 * - presence: groups of 10 on `presence-group-⌊i/10⌋`; --count churn steps, each one member
 *   leaving and joining again (member_removed then member_added to the other 9).
 * Reports each node's CPU µs per delivered message (or per churn step), Redis CPU µs per publish
 * (its pid from INFO; reading another user's /proc stat is allowed, it is never signalled) and
 * each node's RSS per connection over its RSS before the connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import PusherServer from 'pusher';
import { WebSocket } from 'ws';
import { sampleProcess, settledRss, sleep } from './lib/proc-stats.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'fanout' },
    nodes: { type: 'string', default: '2' },
    connections: { type: 'string', default: '4000' },
    count: { type: 'string', default: '2000' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const scenario = values.scenario;
const K = Number(values.nodes);
const M = Number(values.connections);
const count = Number(values.count);
const prefix = `pushwire-bench:scale:${randomUUID().slice(0, 8)}`;
const ENTRY = new URL('../src/cli/bin.ts', import.meta.url).pathname;
const SECRET = 'app-secret';

interface Node {
  readonly child: ChildProcess;
  readonly port: number;
  readonly api: PusherServer;
  delivered: number;
}

function startNode(): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'start', '--port', '0'], {
    env: {
      ...process.env,
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_URL: values.redis,
      PUSHWIRE_REDIS_PREFIX: prefix,
      PUSHWIRE_APPS: JSON.stringify([
        { id: '1', key: 'app-key', secret: SECRET, maxPresenceMembers: 100 },
      ]),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = Number(/listening on ws:\/\/[^:]+:(\d+)/.exec(output)?.[1]);
      if (!port) return;
      const api = new PusherServer({
        ...{ appId: '1', key: 'app-key', secret: SECRET },
        ...{ host: '127.0.0.1', port: String(port) },
      });
      resolve({ child, port, api, delivered: 0 });
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)));
  });
}

const socketIds = new Map<WebSocket, string>();

/** A protocol-7 client on `node` holding `channels`; counts every `tick` it gets. */
function connect(node: Node, channels: string[], userId: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${node.port}/app/app-key?protocol=7`);
  let pending = channels.length;
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      // Deliveries are counted without parsing: the client must cost the nodes' CPU little.
      if (text.includes('"event":"tick"') || text.includes('member_')) return void node.delivered++;
      const { event, data: payload } = JSON.parse(text) as { event: string; data: string };
      if (event === 'pusher:connection_established') {
        const socketId = (JSON.parse(payload) as { socket_id: string }).socket_id;
        socketIds.set(socket, socketId);
        for (const channel of channels) subscribe(socket, socketId, channel, userId);
      } else if (event === 'pusher_internal:subscription_succeeded' && --pending === 0) {
        resolve(socket);
      }
    });
  });
}

function subscribe(socket: WebSocket, socketId: string, channel: string, userId: string): void {
  const data: Record<string, string> = { channel };
  if (channel.startsWith('presence-')) {
    data.channel_data = JSON.stringify({ user_id: userId });
    const signed = `${socketId}:${channel}:${data.channel_data}`;
    data.auth = `app-key:${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
  }
  socket.send(JSON.stringify({ event: 'pusher:subscribe', data }));
}

const channelsOf = (i: number): string[] =>
  scenario === 'fanout'
    ? ['fanout']
    : scenario === 'channels'
      ? [`personal-${i}`, `group-${Math.floor(i / 10)}`]
      : [`presence-group-${Math.floor(i / 10)}`];

const redis = new Redis(values.redis);
const info = await redis.info('server');
const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
const cpu = (pid: number | undefined) => sampleProcess(pid ?? 0)?.cpuSeconds ?? 0;
const rss = (pid: number | undefined) => sampleProcess(pid ?? 0)?.rssBytes ?? 0;

const nodes: Node[] = [];
for (let k = 0; k < K; k++) nodes.push(await startNode());
const baseRss = await Promise.all(nodes.map((node) => settledRss(node.child.pid!, 1000, 5000)));
const sockets: WebSocket[] = [];
const connectStart = Date.now();
let limit = '';
try {
  for (let i = 0; i < M; i += 100) {
    const wave = Array.from({ length: Math.min(100, M - i) }, (_, j) =>
      connect(nodes[(i + j) % K]!, channelsOf(i + j), `user-${i + j}`),
    );
    sockets.push(...(await Promise.all(wave)));
  }
} catch (error) {
  limit = `connecting stopped at ${sockets.length}: ${(error as Error).message}`;
}
const connectMs = Date.now() - connectStart;
const heldRss = await Promise.all(nodes.map((node) => settledRss(node.child.pid!, 1500, 15000)));
for (const node of nodes) node.delivered = 0;

const before = { nodes: nodes.map((n) => cpu(n.child.pid)), redis: cpu(redisPid) };
const started = Date.now();
let publishes = 0;
let retried = 0;
const ok = () => true;
const failed = () => false;
let steps = 0;
const held = sockets.length;
if (scenario === 'presence') {
  // Churn: one member at a time leaves its group and joins again (8 in flight).
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = (next++ * 7919) % held;
        const socket = sockets[i]!;
        const channel = channelsOf(i)[0]!;
        socket.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel } }));
        const joined = new Promise<void>((resolve) => {
          const onMessage = (data: Buffer) => {
            if (!data.toString().includes('subscription_succeeded')) return;
            socket.off('message', onMessage);
            resolve();
          };
          socket.on('message', onMessage);
        });
        subscribe(socket, socketIds.get(socket)!, channel, `user-${i}`);
        await joined;
        steps++;
      }
    }),
  );
} else {
  let next = 0;
  const groups = Math.max(1, Math.floor(held / 10));
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      while (next < count) {
        const batch = Array.from({ length: Math.min(10, count - next) }, (_, j) => {
          const n = next + j;
          const channel =
            scenario === 'fanout'
              ? 'fanout'
              : n % 2 === 0
                ? `personal-${(n * 7919) % held}`
                : `group-${(n * 104729) % groups}`;
          return { channel, name: 'tick', data: '{}' };
        });
        next += batch.length;
        const node = nodes[worker % K]!;
        // A refused batch (503: Redis slow to answer) is sent again, and counted.
        while (!(await node.api.triggerBatch(batch).then(ok, failed))) {
          retried += batch.length;
          await sleep(50);
        }
        publishes += batch.length;
      }
    }),
  );
}
// Deliveries settle: wait until the counts stop moving for a second.
let last = -1;
for (let total = 0; total !== last; await sleep(1000)) {
  last = total;
  total = nodes.reduce((sum, node) => sum + node.delivered, 0);
}
const wallMs = Date.now() - started - 1000;
const busyNodes = nodes.map((node, k) => cpu(node.child.pid) - before.nodes[k]!);
const busyRedis = cpu(redisPid) - before.redis;
// The baseline over an idle stretch (heartbeats, sweeps, other clients of this Redis), scaled to
// the run's length and taken off.
const idleMs = Math.min(wallMs, 10_000);
const idleFrom = { nodes: nodes.map((n) => cpu(n.child.pid)), redis: cpu(redisPid) };
await sleep(idleMs);
const scale = wallMs / idleMs;
const idleNodes = nodes.map((n, k) => (cpu(n.child.pid) - idleFrom.nodes[k]!) * scale);
const idleRedis = (cpu(redisPid) - idleFrom.redis) * scale;
const nodeCpu = busyNodes.map((s, k) => Math.max(0, s - idleNodes[k]!));
const redisCpu = Math.max(0, busyRedis - idleRedis);
const perNode = Math.round(held / K);

console.log(
  JSON.stringify({
    scenario,
    nodes: K,
    connectionsAsked: M,
    connectionsHeld: held,
    limit: limit || undefined,
    connectMs,
    publishes,
    retried,
    expectedDeliveries: scenario === 'fanout' ? publishes * held : undefined,
    churnSteps: steps,
    wallMs,
    delivered: nodes.map((node) => node.delivered),
    nodeCpuSeconds: nodeCpu.map((s) => Number(s.toFixed(2))),
    nodeMicrosPerDelivery: nodes.map((node, k) =>
      Number(((nodeCpu[k]! * 1e6) / Math.max(1, node.delivered)).toFixed(2)),
    ),
    nodeMicrosPerChurnStep:
      scenario === 'presence'
        ? nodeCpu.map((s) => Number(((s * 1e6) / Math.max(1, steps)).toFixed(1)))
        : undefined,
    redisPid,
    redisCpuSeconds: Number(redisCpu.toFixed(2)),
    idleBaselineSeconds: {
      nodes: idleNodes.map((s) => Number(s.toFixed(2))),
      redis: Number(idleRedis.toFixed(2)),
    },
    redisMicrosPerPublish: publishes
      ? Number(((redisCpu * 1e6) / publishes).toFixed(2))
      : undefined,
    redisMicrosPerChurnStep: steps ? Number(((redisCpu * 1e6) / steps).toFixed(1)) : undefined,
    connectionsPerNode: perNode,
    rssMiB: heldRss.map((b) => Number((b / 2 ** 20).toFixed(1))),
    rssKiBPerConnection: nodes.map((_, k) =>
      Number(((heldRss[k]! - baseRss[k]!) / 1024 / Math.max(1, perNode)).toFixed(2)),
    ),
    finalRssMiB: nodes.map((node) => Number((rss(node.child.pid) / 2 ** 20).toFixed(1))),
  }),
);
for (const socket of sockets) socket.terminate();
for (const node of nodes) node.child.kill('SIGTERM');
redis.disconnect();
