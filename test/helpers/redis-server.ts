/**
 * A redis-server of the test's own, on a port of its own (never the shared 6379), that a fault
 * test may kill, restart with or without its data, and reach to kill clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitUntil } from './wait.ts';

export class RedisServer {
  #child: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), 'pushwire-redis-'));

  private constructor(
    readonly port: number,
    /** Keep the data across a kill (AOF, fsync always), as Redis with persistence would. */
    readonly persistent: boolean,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port: number, options: { persistent?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(port, options.persistent ?? false);
    await server.restart();
    return server;
  }

  /** Starts it again; `empty` wipes what it saved, as a Redis without persistence comes back. */
  async restart(empty = !this.persistent): Promise<void> {
    if (empty) rmSync(join(this.#dir, 'appendonlydir'), { recursive: true, force: true });
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir];
    args.push('--save', '', '--protected-mode', 'no');
    args.push(...(this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []));
    if (!this.persistent) args.push('--appendonly', 'no');
    this.#child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntil(() => this.ping(), `redis-server on ${this.port}`, 10_000);
  }

  /** kill -9: connections drop at once, as when Redis crashes. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async ping(): Promise<boolean> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  /** Runs one command on a short-lived connection. */
  async command(...args: string[]): Promise<unknown> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      return await client.call(args[0]!, ...args.slice(1));
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
