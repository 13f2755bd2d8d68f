/**
 * A `redis-server` of the test's own, for suites that stop, kill or restart Redis: never the
 * shared one on 6379. Without persistence unless asked, so a restart comes back empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { redisAnswers } from './redis.ts';
import { waitUntil } from './wait.ts';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it again on the same port (after `kill`). */
  start(): Promise<void>;
  /** SIGKILL: Redis is gone at once, as in a crash. */
  kill(): Promise<void>;
}

/** `port` comes from the range the suite was given; `extraArgs` add persistence and such. */
export async function startRedisServer(
  port: number,
  extraArgs: string[] = [],
): Promise<RedisServer> {
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(() => redisAnswers(url), `redis-server on ${port}`);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGKILL');
    });
  };
  await start();
  return { port, url, start, kill };
}
