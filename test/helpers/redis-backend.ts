/**
 * The Redis a multi-process suite runs on: one Redis, or a local 3-master Redis Cluster, behind
 * one interface, so that a suite's body is written once and runs on each (a describe per
 * backend). Suites that stop or kill Redis get a Redis or a cluster of their own on the ports
 * they were given; the others may use the shared Redis at 6379 (`single: 'shared'`).
 */
import { Redis, type Cluster } from 'ioredis';
import { startClusterNode, type ClusterNode } from './cluster-node.ts';
import { REDIS_URL, redisGate } from './redis.ts';
import { RedisCluster, redisClusterGate } from './redis-cluster.ts';
import { RedisServer } from './redis-server.ts';

export interface RedisBackend {
  /** The cluster, for faults of some masters only; undefined on one Redis. */
  readonly shards: RedisCluster | undefined;
  /** A Pushwire node on it (`env` over the defaults of startClusterNode). */
  node(prefix: string, env?: Record<string, string>): Promise<ClusterNode>;
  /** A client for the test's own checks (a Cluster client on a cluster). */
  client(): Redis | Cluster;
  /** SIGKILL of the Redis (on a cluster: of every master). */
  kill(): Promise<void>;
  /** Back after `kill`, with its data or (`empty`) without, as it was started. */
  restart(empty?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** One way to run a suite: its describe label, whether it can run here, and how to start it. */
export interface BackendCase {
  readonly label: string;
  readonly cluster: boolean;
  readonly enabled: boolean;
  start(options?: { persistent?: boolean }): Promise<RedisBackend>;
}

export interface BackendPorts {
  /** The suite's own redis-server port, or 'shared' for the Redis at 6379 (never killed). */
  readonly single: number | 'shared';
  /** Three ports for the suite's own cluster. */
  readonly cluster: readonly number[];
}

/** The suite on one Redis, then on a Redis Cluster. */
export async function redisBackends(suite: string, ports: BackendPorts): Promise<BackendCase[]> {
  return [
    {
      label: 'one Redis',
      cluster: false,
      enabled: await redisGate(suite),
      start: (options) =>
        ports.single === 'shared'
          ? Promise.resolve(sharedRedis())
          : ownRedis(ports.single, options?.persistent ?? false),
    },
    {
      label: 'a Redis Cluster',
      cluster: true,
      enabled: redisClusterGate(`${suite} on Redis Cluster`),
      start: (options) => ownCluster(ports.cluster, options?.persistent ?? false),
    },
  ];
}

function sharedRedis(): RedisBackend {
  const clients: Redis[] = [];
  return {
    shards: undefined,
    node: (prefix, env) => startClusterNode(REDIS_URL, prefix, env),
    client: () => {
      const client = new Redis(REDIS_URL);
      clients.push(client);
      return client;
    },
    kill: () => Promise.reject(new Error('the shared Redis is never killed')),
    restart: () => Promise.reject(new Error('the shared Redis is never restarted')),
    stop: async () => {
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}

async function ownRedis(port: number, persistent: boolean): Promise<RedisBackend> {
  const server = await RedisServer.start(port, { persistent });
  const clients: Redis[] = [];
  return {
    shards: undefined,
    node: (prefix, env) => startClusterNode(server.url, prefix, env),
    client: () => {
      const client = new Redis(server.url);
      clients.push(client);
      return client;
    },
    kill: () => server.kill(),
    restart: (empty) => server.restart(empty),
    stop: async () => {
      for (const client of clients.splice(0)) client.disconnect();
      await server.stop();
    },
  };
}

async function ownCluster(ports: readonly number[], persistent: boolean): Promise<RedisBackend> {
  const cluster = await RedisCluster.start(ports, { persistent });
  const clients: Cluster[] = [];
  // The URL is unused: the seed nodes win.
  const env = { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(cluster.seeds) };
  return {
    shards: cluster,
    node: (prefix, extra) =>
      startClusterNode(`redis://127.0.0.1:${ports[0]}`, prefix, { ...env, ...extra }),
    client: () => {
      const client = cluster.client();
      clients.push(client);
      return client;
    },
    kill: () => cluster.kill(),
    restart: (empty) => cluster.restart(empty === undefined ? {} : { empty }),
    stop: async () => {
      for (const client of clients.splice(0)) client.disconnect();
      await cluster.stop();
    },
  };
}
