/**
 * What one publish costs Redis with the Redis adapter's PUBLISH script (XADD to the channel's
 * capped log + PEXPIRE + PUBLISH), untagged and tagged as an API transaction's first message,
 * against a bare PUBLISH, and what one heartbeat costs.
 * Starts its own redis-server on --port (default 7140), one subscriber on the bus, and measures
 * Redis's own CPU (INFO cpu, user + sys) and INFO commandstats over --count publishes.
 *
 *   node --import tsx bench/redis-publish-cost.ts --count 100000 --port 7140
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { encodeDelivery } from '../src/adapter/redis/feed.ts';
import { BEAT, PUBLISH } from '../src/adapter/redis/scripts.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    port: { type: 'string', default: '7140' },
  },
});
const count = Number(values.count);
const port = Number(values.port);
const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
await new Promise((resolve) => setTimeout(resolve, 500));
const redis = new Redis(url);
const subscriber = new Redis(url);
await subscriber.subscribe('p:bus');
let received = 0;
subscriber.on('message', () => received++);

const frame = JSON.stringify({
  event: 'flash',
  channel: 'news',
  data: JSON.stringify({ n: 1, text: 'x'.repeat(60) }),
});
const message = encodeDelivery('0f8fad5b-d9cb-469f-a165-70867728950e', '1', 'news', '', 0, frame);

async function cpu(): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

async function measure(label: string, send: (p: ReturnType<Redis['pipeline']>, i: number) => void) {
  await redis.config('RESETSTAT');
  received = 0;
  const before = await cpu();
  const started = Date.now();
  for (let i = 0; i < count; i += 100) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(count, i + 100); j++) send(pipeline, j);
    await pipeline.exec();
  }
  while (received < count) await new Promise((resolve) => setTimeout(resolve, 10));
  const cpuSeconds = (await cpu()) - before;
  const stats = (await redis.info('commandstats'))
    .split('\n')
    .filter((line) => /cmdstat_(evalsha|eval|publish|xadd|pexpire)\b/.test(line))
    .map((line) => line.trim().replace(/,rejected_calls.*$/, ''));
  const memory = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1];
  console.log(
    JSON.stringify({
      label,
      count,
      wallMs: Date.now() - started,
      redisCpuSeconds: Number(cpuSeconds.toFixed(2)),
      redisCpuMicrosPerPublish: Number(((cpuSeconds * 1e6) / count).toFixed(1)),
      usedMemoryBytes: Number(memory),
      commandstats: stats,
    }),
  );
}

const sha = (await redis.script('LOAD', PUBLISH)) as string;
await measure('bare PUBLISH', (p) => p.publish('p:bus', message));
const script = (tag: (i: number) => string) => (p: ReturnType<Redis['pipeline']>, i: number) =>
  p.evalsha(
    sha,
    3,
    'p:{1:news}:log',
    'p:{1:news}:cache',
    'p:bus',
    'PUBLISH',
    '5000',
    '30000',
    message,
    '',
    '0',
    tag(i),
  );
await measure(
  'adapter PUBLISH script (XADD MAXLEN ~5000 + PEXPIRE + PUBLISH)',
  script(() => ''),
);
// An API transaction's first message also carries its tag in the log (in-doubt.ts).
await measure(
  'adapter PUBLISH script, every message tagged',
  script((i) => `Xb3kq9Zt.${i.toString(36)}`),
);
const beat = (await redis.script('LOAD', BEAT)) as string;
await redis.config('RESETSTAT');
const before = await cpu();
for (let i = 0; i < 10_000; i++)
  await redis.evalsha(beat, 2, 'p:nodes', 'p:epoch', `node-${i % 10}`, '4000', 'e');
console.log(
  JSON.stringify({
    label: 'heartbeat (BEAT script, 10 nodes)',
    beats: 10_000,
    redisCpuMicrosPerBeat: Number(((((await cpu()) - before) * 1e6) / 10_000).toFixed(1)),
  }),
);
redis.disconnect();
subscriber.disconnect();
server.kill('SIGKILL');
