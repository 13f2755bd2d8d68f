/**
 * A local Redis Cluster of the test's own: three masters, no replicas, on the ports the suite was
 * given, started with `redis-server --cluster-enabled yes` and joined with
 * `redis-cli --cluster create`. Without persistence unless asked (`persistent`: an AOF synced on
 * every write per master); optionally with a password on every node. Masters can be killed and
 * started again: each keeps its `nodes.conf`, so it comes back owning the same slots, with its
 * data or empty.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

export interface RedisClusterOptions {
  readonly password?: string | undefined;
  /** An AOF per master, synced on every write, so a killed master can come back with its data. */
  readonly persistent?: boolean;
  /** TLS only, clients and the cluster bus alike, with this certificate (and key) on every node. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export class RedisCluster {
  readonly #children = new Map<number, ChildProcess>();
  readonly #dir = mkdtempSync(join(tmpdir(), 'pushwire-cluster-'));
  readonly password: string | undefined;
  readonly persistent: boolean;
  readonly tls: RedisClusterOptions['tls'];

  private constructor(
    readonly ports: readonly number[],
    options: RedisClusterOptions,
  ) {
    this.password = options.password;
    this.persistent = options.persistent ?? false;
    this.tls = options.tls;
  }

  /** Seed nodes as the `redisCluster` setting takes them (URLs when there is a password). */
  get seeds(): string[] {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    const scheme = this.tls ? 'rediss' : 'redis';
    return this.ports.map((port) =>
      auth || this.tls ? `${scheme}://${auth}127.0.0.1:${port}` : `127.0.0.1:${port}`,
    );
  }

  /** `options` may be the password alone. */
  static async start(
    ports: readonly number[],
    options: RedisClusterOptions | string = {},
  ): Promise<RedisCluster> {
    const cluster = new RedisCluster(
      ports,
      typeof options === 'string' ? { password: options } : options,
    );
    await cluster.#start();
    return cluster;
  }

  get #cli(): string[] {
    const tls = this.tls ? ['--tls', '--cacert', this.tls.certFile] : [];
    return [...tls, ...(this.password ? ['-a', this.password, '--no-auth-warning'] : [])];
  }

  async #spawn(ports: readonly number[]): Promise<void> {
    const auth = this.password
      ? ['--requirepass', this.password, '--masterauth', this.password]
      : [];
    const persistence = this.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    for (const port of ports) {
      const running = this.#children.get(port);
      if (running && !exited(running)) continue;
      const dir = join(this.#dir, String(port));
      mkdirSync(dir, { recursive: true });
      const listen = this.tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cluster', 'yes']
            .concat(['--tls-auth-clients', 'no', '--tls-cert-file', this.tls.certFile])
            .concat(['--tls-key-file', this.tls.keyFile, '--tls-ca-cert-file', this.tls.certFile])
        : ['--port', String(port)];
      const args = [...listen, '--bind', '127.0.0.1', '--dir', dir];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
      args.push('--cluster-node-timeout', '2000', '--save', '', ...persistence, ...auth);
      this.#children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) {
      await waitUntil(
        () =>
          run('redis-cli', [...this.#cli, '-p', String(port), 'ping']).then(
            ({ stdout }) => stdout.trim() === 'PONG',
            () => false,
          ),
        `redis-server on ${port}`,
        10_000,
      );
    }
  }

  async #start(): Promise<void> {
    await this.#spawn(this.ports);
    const nodes = this.ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', [
      ...this.#cli,
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await this.#ok();
  }

  /** Until every master says cluster_state:ok. */
  async #ok(): Promise<void> {
    await waitUntil(
      async () => {
        for (const port of this.ports) {
          const { stdout } = await run('redis-cli', [
            ...this.#cli,
            '-p',
            String(port),
            'cluster',
            'info',
          ]).catch(() => ({ stdout: '' }));
          if (!stdout.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      'the cluster to be ok',
      20_000,
    );
  }

  /** SIGKILL of some masters (all by default): gone at once, as in a crash. */
  async kill(ports: readonly number[] = this.ports): Promise<void> {
    await Promise.all(
      ports.map((port) => {
        const child = this.#children.get(port);
        if (!child || exited(child)) return;
        return new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }),
    );
  }

  /**
   * Starts killed masters again (all by default; those still running stay) with their slots, and waits for the cluster to be
   * ok; `empty` wipes what they saved, as masters without persistence come back.
   */
  async restart(options: { empty?: boolean; ports?: readonly number[] } = {}): Promise<void> {
    const ports = options.ports ?? this.ports;
    if (options.empty ?? !this.persistent) {
      for (const port of ports) {
        const dir = join(this.#dir, String(port));
        rmSync(join(dir, 'appendonlydir'), { recursive: true, force: true });
        rmSync(join(dir, 'dump.rdb'), { force: true });
      }
    }
    await this.#spawn(ports);
    await this.#ok();
  }

  /** SIGSTOP of one master: its connections stay open, it answers nothing (`resume`: SIGCONT). */
  pause(port: number): void {
    this.#children.get(port)?.kill('SIGSTOP');
  }

  resume(port: number): void {
    this.#children.get(port)?.kill('SIGCONT');
  }

  /**
   * Hands the (empty) slot of `key` to the master on `to`, as a resharding does: clients that
   * still map it to the old owner get MOVED until they refresh their slot map.
   */
  async moveSlot(key: string, to: number): Promise<void> {
    const from = await this.portOf(key);
    const cli = (port: number, ...args: string[]) =>
      run('redis-cli', [...this.#cli, '-p', String(port), ...args]).then(({ stdout }) =>
        stdout.trim(),
      );
    const slot = await cli(from, 'cluster', 'keyslot', key);
    const [source, target] = [await cli(from, 'cluster', 'myid'), await cli(to, 'cluster', 'myid')];
    await cli(to, 'cluster', 'setslot', slot, 'importing', source);
    await cli(from, 'cluster', 'setslot', slot, 'migrating', target);
    for (const port of [from, to]) await cli(port, 'cluster', 'setslot', slot, 'node', target);
  }

  /** Runs one command on every master; the sum of their integer replies. */
  async commandAll(...args: string[]): Promise<number> {
    let total = 0;
    for (const port of this.ports) {
      const { stdout } = await run('redis-cli', [...this.#cli, '-p', String(port), ...args]);
      total += Number(stdout.trim()) || 0;
    }
    return total;
  }

  /** The port of the master that owns `key`'s slot. */
  async portOf(key: string): Promise<number> {
    const cli = [...this.#cli, '-p', String(this.ports[0])];
    const slot = Number((await run('redis-cli', [...cli, 'cluster', 'keyslot', key])).stdout);
    const { stdout } = await run('redis-cli', [...cli, 'cluster', 'nodes']);
    // `id host:port@bus flags master ping pong epoch state range…`, one line per node.
    for (const line of stdout.trim().split('\n')) {
      const fields = line.split(' ');
      const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
      for (const range of fields.slice(8)) {
        const [from, to = from] = range.split('-').map(Number);
        if (slot >= from! && slot <= to!) return port;
      }
    }
    throw new Error(`no master owns slot ${slot}`);
  }

  /** A client of the whole cluster, for a test's own checks. */
  client(): Cluster {
    return new Cluster(
      this.ports.map((port) => ({ host: '127.0.0.1', port })),
      this.password ? { redisOptions: { password: this.password } } : {},
    );
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
