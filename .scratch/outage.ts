import { RedisCluster } from '../test/helpers/redis-cluster.ts';
import { startClusterNode } from '../test/helpers/cluster-node.ts';
import { connectPusher, subscribeAndWait } from '../test/helpers/pusher-client.ts';

const cluster = await RedisCluster.start([7644, 7645, 7646], { persistent: true });
const env = { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(cluster.seeds), PUSHWIRE_LOG_LEVEL: process.env.LVL ?? 'info' };
const a = await startClusterNode('redis://127.0.0.1:7644', 'scratch', env);
const c = await connectPusher(a.port);
await subscribeAndWait(c, 'news');
await subscribeAndWait(c, 'other');
const t0 = Date.now();
const ready = async () => (await fetch(`http://127.0.0.1:${a.port}/ready`)).status;
const log = (m: string) => console.log(`${Date.now() - t0} ms: ${m}`);
log(`ready ${await ready()}`);
await cluster.kill();
log('killed');
for (let i = 0; i < 15; i++) { await new Promise((r) => setTimeout(r, 200)); if ((await ready()) === 503) break; }
log(`ready ${await ready()}`);
await new Promise((r) => setTimeout(r, 1000));
await cluster.restart({ empty: true });
log('restarted');
for (let i = 0; i < 75; i++) {
  await new Promise((r) => setTimeout(r, 200));
  const s = await ready();
  if (s === 200) break;
  if (i % 10 === 0) log(`ready ${s} ${(await (await fetch(`http://127.0.0.1:${a.port}/ready`)).text())}`);
}
log(`ready ${await ready()}`);
console.log(a.output().slice(-6000));
c.disconnect();
await a.kill();
await cluster.stop();
