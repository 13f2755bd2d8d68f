/**
 * A `redis-server` of the test's own, for suites that stop, kill or restart Redis: never the
 * shared one on 6379. Without persistence unless asked, so a restart comes back empty; with
 * `persistent`, an AOF synced on every write keeps the data across a kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisAnswers } from './redis.ts';
import { waitUntil } from './wait.ts';

export class RedisServer {
  #child: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), 'pushwire-redis-'));

  constructor(
    /** From the range the suite was given. */
    readonly port: number,
    readonly persistent = false,
    readonly extraArgs: readonly string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port: number, options: { persistent?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(port, options.persistent ?? false);
    await server.start();
    return server;
  }

  /** Starts it (again, after `kill`) on the same port, with its data when persistent. */
  start(): Promise<void> {
    return this.restart(!this.persistent);
  }

  /** Starts it again; `empty` wipes what it saved, as a Redis without persistence comes back. */
  async restart(empty = !this.persistent): Promise<void> {
    if (empty) rmSync(join(this.#dir, 'appendonlydir'), { recursive: true, force: true });
    const persistence = this.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir];
    args.push('--save', '', ...persistence, ...this.extraArgs);
    this.#child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntil(() => redisAnswers(this.url), `redis-server on ${this.port}`, 10_000);
  }

  /** SIGKILL: Redis is gone at once, as in a crash. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  /**
   * SIGSTOP: Redis stops answering but its connections stay open, so commands time out rather
   * than fail at once (a hung Redis, or a network that drops packets). `resume` is SIGCONT.
   */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
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

/** `port` comes from the range the suite was given; `extraArgs` add settings. */
export async function startRedisServer(
  port: number,
  extraArgs: string[] = [],
): Promise<RedisServer> {
  const server = new RedisServer(port, false, extraArgs);
  await server.start();
  return server;
}
