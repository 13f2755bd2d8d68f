/** Pushwire processes of one cluster for multi-process tests: started, killed, watched. */
import { spawn, type ChildProcess } from 'node:child_process';
import PusherServer from 'pusher';
import { waitUntil } from './wait.ts';

const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

export interface ClusterNode {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** The HTTP API through the official SDK. */
  readonly api: PusherServer;
  /** GET on the node, answered as status and JSON body. */
  get(path: string): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

const running = new Set<ClusterNode>();

export async function startClusterNode(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<ClusterNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'start', '--port', '0'], {
    env: {
      ...process.env,
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_URL: redisUrl,
      PUSHWIRE_REDIS_PREFIX: prefix,
      PUSHWIRE_APPS: JSON.stringify([
        { id: '1', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true },
      ]),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk) => (output += chunk.toString()));
  const port = Number(
    await waitUntil(
      () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1],
      'a node to start',
      20_000,
    ),
  );
  const node: ClusterNode = {
    child,
    port,
    output: () => output,
    api: new PusherServer({
      appId: '1',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(port),
    }),
    async get(path) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    stop: () => {
      running.delete(node);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
  running.add(node);
  return node;
}

/** kill -9 */
export function crash(node: ClusterNode): Promise<void> {
  running.delete(node);
  return new Promise((resolve) => {
    node.child.once('exit', () => resolve());
    node.child.kill('SIGKILL');
  });
}

export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map((node) => node.stop()));
}
