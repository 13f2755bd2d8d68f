/**
 * A local Redis Cluster of the test's own: three masters, no replicas, on the ports the suite was
 * given, started with `redis-server --cluster-enabled yes` and joined with
 * `redis-cli --cluster create`. Without persistence; optionally with a password on every node.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { waitUntil } from './wait.ts';

const run = promisify(execFile);

/** Whether redis-server and redis-cli are installed; prints why the suite skips when not. */
export function redisClusterGate(suite: string): boolean {
  const found = ['redis-server', 'redis-cli'].every(
    (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0,
  );
  if (found || process.env.CI) return true;
  console.warn(`[skip] ${suite}: redis-server / redis-cli not installed and CI is unset.`);
  return false;
}

export class RedisCluster {
  readonly #children: ChildProcess[] = [];
  readonly #dir = mkdtempSync(join(tmpdir(), 'pushwire-cluster-'));

  private constructor(
    readonly ports: readonly number[],
    readonly password: string | undefined,
  ) {}

  /** Seed nodes as the `redisCluster` setting takes them (URLs when there is a password). */
  get seeds(): string[] {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return this.ports.map((port) =>
      auth ? `redis://${auth}127.0.0.1:${port}` : `127.0.0.1:${port}`,
    );
  }

  static async start(ports: readonly number[], password?: string): Promise<RedisCluster> {
    const cluster = new RedisCluster(ports, password);
    await cluster.#start();
    return cluster;
  }

  async #start(): Promise<void> {
    const auth = this.password
      ? ['--requirepass', this.password, '--masterauth', this.password]
      : [];
    for (const port of this.ports) {
      const dir = join(this.#dir, String(port));
      rmSync(dir, { recursive: true, force: true });
      await run('mkdir', ['-p', dir]);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
      args.push('--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', ...auth);
      this.#children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    const cli = this.password ? ['-a', this.password, '--no-auth-warning'] : [];
    for (const port of this.ports) {
      await waitUntil(
        () =>
          run('redis-cli', [...cli, '-p', String(port), 'ping']).then(
            ({ stdout }) => stdout.trim() === 'PONG',
            () => false,
          ),
        `redis-server on ${port}`,
        10_000,
      );
    }
    const nodes = this.ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', [
      ...cli,
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitUntil(
      async () => {
        for (const port of this.ports) {
          const { stdout } = await run('redis-cli', [
            ...cli,
            '-p',
            String(port),
            'cluster',
            'info',
          ]);
          if (!stdout.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      'the cluster to be ok',
      20_000,
    );
  }

  /** A client of the whole cluster, for a test's own checks. */
  client(): Cluster {
    return new Cluster(
      this.ports.map((port) => ({ host: '127.0.0.1', port })),
      this.password ? { redisOptions: { password: this.password } } : {},
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
