/**
 * The two connections of a Redis node (commands, and pub/sub) and what "Redis is reachable"
 * means for it. Commands fail fast instead of queueing: while Redis is unreachable, an API call
 * must answer 503 within a second rather than wait and then act after it answered.
 *
 * The target is one Redis (`redis://` or `rediss://` URL, password in it) or a Redis Cluster
 * (seed nodes, `host:port` or URLs carrying the password and TLS). On a cluster the pub/sub side
 * is sharded: SSUBSCRIBE on the shard that owns each channel, SPUBLISH in the scripts.
 */
import { performance } from 'node:perf_hooks';
import { Cluster, Redis, type Command, type ClusterOptions, type RedisOptions } from 'ioredis';
import { BEAT, GONE, JOIN, LEAVE, PUBLISH, SHARE, SIGN, USERS } from './scripts.ts';

/** The scripts, as ioredis defines them on the command connection (and its pipelines). */
export type Scripted = Redis & {
  /** Whether this is a Redis Cluster client (ioredis Cluster, with the same commands). */
  readonly isCluster?: boolean;
  pwJoin(...args: string[]): Promise<[number, number?, number?, string?, string[]?]>;
  pwLeave(...args: string[]): Promise<[number, number, number, number]>;
  pwShare(...args: string[]): Promise<Array<number | string>>;
  pwGone(...args: string[]): Promise<number>;
  pwSign(...args: string[]): Promise<number>;
  pwUsers(...args: string[]): Promise<Array<number | string>>;
  pwPublish(...args: string[]): Promise<string>;
  pwBeat(...args: string[]): Promise<[number, string, string[]]>;
};

/** How long one command may take before the node treats Redis as unreachable. */
export const COMMAND_TIMEOUT_MS = 800;

/** The message of a command that Redis did not answer in time (the one ioredis uses). */
const TIMED_OUT = 'Command timed out';

/** Errors of commands refused while being sent: they never reached Redis. */
const refused = new WeakSet<object>();

/**
 * Whether a command failed before any of it was written (the connection was not ready, or
 * closed), so Redis never got it. A failure after the write leaves its outcome unknown.
 */
export const neverSent = (error: unknown) => typeof error === 'object' && refused.has(error!);

/** ioredis's error for a command whose connection closed, or was closed, before its reply. */
const CLOSED = 'Connection is closed.';
/**
 * The same, for a command already written: Redis may have run it. A Cluster sends a command
 * that failed with CLOSED again (`retryDelayOnFailover`, right for one that was never written,
 * as while a master's connection is being made again), but not one failing with this.
 */
const CLOSED_AFTER_WRITE = 'Connection closed after the command was written';

/** A command being bounded: its current try (promise), its one deadline, whether it went out. */
interface Armed {
  promise: Promise<unknown>;
  readonly deadline: number;
  written: boolean;
}

/** Where a command keeps its Armed record (a property: cheaper than a WeakMap entry). */
const ARMED = Symbol('armed');
type Tracked = Command & { [ARMED]?: Armed };

/**
 * Gives every command of `client` `ms` to be answered, a deadline that a reply already in the
 * socket always beats. ioredis's own `commandTimeout` does not: after the event loop was stalled
 * (a node writing 50,000 frames), Node runs due timers before it reads the sockets, so the
 * timeout fired although Redis had answered, and a publish Redis ran was answered 503. Here the
 * rejection waits one turn of the loop past the deadline (setImmediate runs after the poll phase,
 * where the reply is read), and is dropped if the command was answered meanwhile.
 *
 * The command's own resolve/reject are wrapped (no promise reaction per command: cheaper). A
 * cluster pipeline (a MULTI) that met MOVED, ASK, TRYAGAIN or CLUSTERDOWN is sent again with a
 * new promise: each try is armed, for what is left of the command's one deadline. On a cluster,
 * a command written and then cut off fails with CLOSED_AFTER_WRITE, so it is not sent again.
 */
function answerInTime(client: Redis, ms: number, cluster: boolean): void {
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
  client.sendCommand = (command: Command, ...rest: unknown[]) => {
    let armed = (command as Tracked)[ARMED];
    if (armed?.promise === command.promise) return send(command, ...rest);
    const retry = armed !== undefined;
    if (armed) {
      armed.promise = command.promise;
      armed.written = false;
    } else {
      armed = { promise: command.promise, deadline: performance.now() + ms, written: false };
      (command as Tracked)[ARMED] = armed;
      if (cluster) wrapWrite(command, armed);
    }
    const state = armed;
    let sending = true;
    let answered = false;
    const resolve = command.resolve;
    const reject = command.reject;
    const late = () => {
      if (!answered) command.reject(new Error(TIMED_OUT));
    };
    // Whole milliseconds, the same for every first try: Node keeps one timer list per duration.
    const left = retry ? Math.max(0, Math.ceil(state.deadline - performance.now())) : ms;
    const timer = setTimeout(() => setImmediate(late), left);
    command.resolve = (value) => {
      answered = true;
      clearTimeout(timer);
      return resolve(value);
    };
    const rejecting = (error: Error) => {
      answered = true;
      clearTimeout(timer);
      if (sending) refused.add(error);
      reject(state.written ? cutOff(error) : error);
    };
    command.reject = rejecting;
    try {
      return send(command, ...rest);
    } finally {
      sending = false;
      // A Cluster puts its own reject (which follows redirections, and resends) around ours.
      const around = command.reject;
      if (around !== rejecting) {
        command.reject = (error) => around(state.written ? cutOff(error) : error);
      }
    }
  };
}

/** Notes when `command` is written (ioredis renders it for the socket right then). */
function wrapWrite(command: Command, armed: Armed): void {
  const render = command.toWritable;
  command.toWritable = (socket) => {
    armed.written = true;
    return render.call(command, socket);
  };
}

const cutOff = (error: Error) =>
  error.message === CLOSED ? new Error(CLOSED_AFTER_WRITE, { cause: error }) : error;

const OPTIONS: RedisOptions = {
  lazyConnect: true,
  // Fail at once while disconnected, and never resend a command after its caller was told it
  // failed: a publish answered 503 must not be delivered later.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // No `commandTimeout`: openCommands arms its own (answerInTime).
  connectTimeout: 2_000,
  // Reconnect within half a second of Redis's return, so every node resynchronizes at about once.
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 500),
};

/** Where Redis is: one server by URL, or a Redis Cluster by its seed nodes. */
export interface RedisTarget {
  readonly url?: string | undefined;
  /** Seed nodes, `host:port` or `redis[s]://[user:password@]host:port`; set means a cluster. */
  readonly cluster?: readonly string[] | null | undefined;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const isCluster = (target: RedisTarget) => (target.cluster?.length ?? 0) > 0;

/** Seed nodes, and the password / TLS settings the first seed URL carries for every node. */
export function clusterSeeds(seeds: readonly string[]): {
  nodes: Array<{ host: string; port: number }>;
  auth: Pick<RedisOptions, 'username' | 'password' | 'tls'>;
} {
  let auth: Pick<RedisOptions, 'username' | 'password' | 'tls'> = {};
  const nodes = seeds.map((seed, i) => {
    const url = new URL(seed.includes('://') ? seed : `redis://${seed}`);
    if (i === 0 || Object.keys(auth).length === 0) {
      auth = {
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      };
    }
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
  return { nodes, auth };
}

/** A client for `target` with `options`: a Redis, or a Cluster with the same options per node. */
export function openClient(target: RedisTarget, options: RedisOptions, sharded = false): Redis {
  if (!isCluster(target)) return new Redis(target.url ?? DEFAULT_REDIS_URL, options);
  const { nodes, auth } = clusterSeeds(target.cluster!);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy ? (attempt: number) => retryStrategy(attempt) : undefined,
    shardedSubscribers: sharded,
    // Resends a command that met a closed connection before it was written; one written is
    // never sent again (answerInTime): Redis may have run it, a publish would be delivered
    // twice, a join applied twice. MOVED, ASK, TRYAGAIN and CLUSTERDOWN are followed: Redis
    // refused those tries, ran nothing.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    // Addresses the nodes announce are used as they are (TLS checks the seed's name).
    ...(auth.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    redisOptions: { ...perNode, ...auth },
  };
  const cluster = new Cluster(nodes, clusterOptions) as unknown as Redis & { isCluster: boolean };
  cluster.isCluster = true;
  return cluster;
}

export function openCommands(target: RedisTarget): Scripted {
  const redis = openClient(target, OPTIONS) as Scripted;
  answerInTime(redis, COMMAND_TIMEOUT_MS, redis.isCluster === true);
  redis.defineCommand('pwJoin', { numberOfKeys: 4, lua: JOIN });
  redis.defineCommand('pwLeave', { numberOfKeys: 2, lua: LEAVE });
  redis.defineCommand('pwShare', { numberOfKeys: 3, lua: SHARE });
  redis.defineCommand('pwGone', { numberOfKeys: 2, lua: GONE });
  redis.defineCommand('pwSign', { numberOfKeys: 2, lua: SIGN });
  redis.defineCommand('pwUsers', { numberOfKeys: 2, lua: USERS });
  redis.defineCommand('pwPublish', { numberOfKeys: 3, lua: PUBLISH });
  redis.defineCommand('pwBeat', { numberOfKeys: 2, lua: BEAT });
  return redis;
}

/**
 * A pub/sub connection: no command timeout, as it only waits for messages. On a cluster it is
 * sharded (SSUBSCRIBE) unless `sharded` is false, for channels published with a plain PUBLISH.
 */
export function openSubscriber(target: RedisTarget, sharded = true): Redis {
  return openClient(target, OPTIONS, sharded);
}
