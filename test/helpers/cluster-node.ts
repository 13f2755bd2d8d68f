/** Pushwire nodes of one Redis cluster, as processes, with the HTTP API at hand. */
import PusherServer from 'pusher';
import { startNodeProcess, type NodeProcess } from './node-process.ts';

export interface ClusterNode extends NodeProcess {
  /** The HTTP API through the official SDK. */
  readonly api: PusherServer;
  /** GET on the node, answered as status and JSON body. */
  get(path: string): Promise<{ status: number; body: unknown }>;
}

const running = new Set<ClusterNode>();

export async function startClusterNode(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
  imports: readonly string[] = [],
): Promise<ClusterNode> {
  const node = await startNodeProcess(
    {
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_URL: redisUrl,
      PUSHWIRE_REDIS_PREFIX: prefix,
      PUSHWIRE_APPS: JSON.stringify([
        { id: '1', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true },
      ]),
      ...env,
    },
    imports,
  );
  const cluster: ClusterNode = {
    ...node,
    api: new PusherServer({
      appId: '1',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(node.port),
    }),
    async get(path) {
      const response = await fetch(`http://127.0.0.1:${node.port}${path}`);
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    stop: () => {
      running.delete(cluster);
      return node.stop();
    },
    kill: () => {
      running.delete(cluster);
      return node.kill();
    },
  };
  running.add(cluster);
  return cluster;
}

export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map((node) => node.stop()));
}
