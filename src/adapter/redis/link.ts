/**
 * The two connections of a Redis node (commands, and pub/sub) and what "Redis is reachable"
 * means for it. Commands fail fast instead of queueing: while Redis is unreachable, an API call
 * must answer 503 within a second rather than wait and then act after it answered.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { BEAT, GONE, JOIN, LEAVE, PUBLISH, SHARE, SIGN, USERS } from './scripts.ts';

/** The scripts, as ioredis defines them on the command connection (and its pipelines). */
export type Scripted = Redis & {
  pwJoin(...args: string[]): Promise<[number, number?, number?, string?, string[]?]>;
  pwLeave(...args: string[]): Promise<[number, number, number]>;
  pwShare(...args: string[]): Promise<Array<number | string>>;
  pwGone(...args: string[]): Promise<number>;
  pwSign(...args: string[]): Promise<number>;
  pwUsers(...args: string[]): Promise<Array<number | string>>;
  pwPublish(...args: string[]): Promise<string>;
  pwBeat(...args: string[]): Promise<[number, string, string[]]>;
};

/** How long one command may take before the node treats Redis as unreachable. */
export const COMMAND_TIMEOUT_MS = 800;

const OPTIONS: RedisOptions = {
  lazyConnect: true,
  // Fail at once while disconnected, and never resend a command after its caller was told it
  // failed: a publish answered 503 must not be delivered later.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2_000,
  // Reconnect within half a second of Redis's return, so every node resynchronizes at about once.
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 500),
};

export function openCommands(url: string): Scripted {
  const redis = new Redis(url, OPTIONS) as Scripted;
  redis.defineCommand('pwJoin', { numberOfKeys: 6, lua: JOIN });
  redis.defineCommand('pwLeave', { numberOfKeys: 4, lua: LEAVE });
  redis.defineCommand('pwShare', { numberOfKeys: 5, lua: SHARE });
  redis.defineCommand('pwGone', { numberOfKeys: 2, lua: GONE });
  redis.defineCommand('pwSign', { numberOfKeys: 3, lua: SIGN });
  redis.defineCommand('pwUsers', { numberOfKeys: 3, lua: USERS });
  redis.defineCommand('pwPublish', { numberOfKeys: 2, lua: PUBLISH });
  redis.defineCommand('pwBeat', { numberOfKeys: 2, lua: BEAT });
  return redis;
}

/** The pub/sub connection: no command timeout, as it only waits for messages. */
export function openSubscriber(url: string): Redis {
  return new Redis(url, { ...OPTIONS, commandTimeout: undefined });
}
