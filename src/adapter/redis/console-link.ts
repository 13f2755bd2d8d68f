/**
 * The live console across nodes (ConsoleLink, ../cluster.ts). Watchers are members `node\napp`
 * of one sorted set scored by their expiry on Redis's clock, so one script call every couple of
 * seconds tells a node which apps are watched elsewhere, however many apps there are. Lines go
 * out on a pub/sub channel per app, `P:console:{app}`, only while someone else watches it; a node
 * opens its pub/sub connection for them only while it has a watcher itself.
 */
import type { Redis } from 'ioredis';
import type { ConsoleLink } from '../cluster.ts';
import type { RedisKeys } from './keys.ts';
import { openSubscriber, type RedisTarget, type Scripted } from './link.ts';

/** KEYS: the watcher set. ARGV: ttl ms, then this node's `node\napp` members. */
const EXCHANGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

export class RedisConsoleLink implements ConsoleLink {
  readonly #watchers: string;
  #subscriber: Redis | undefined;
  #channels = new Set<string>();
  #onLine: ((appId: string, line: string) => void) | undefined;

  constructor(
    private readonly target: RedisTarget,
    private readonly redis: Scripted,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
  ) {
    this.#watchers = `${keys.prefix}:console:watchers`;
  }

  #channel(appId: string): string {
    return `${this.keys.prefix}:console:${appId}`;
  }

  async exchangeWatched(appIds: readonly string[], ttlMs: number): Promise<string[]> {
    const members = appIds.map((appId) => `${this.nodeId}\n${appId}`);
    const all = (await this.redis.eval(EXCHANGE, 1, this.#watchers, ttlMs, ...members)) as string[];
    const elsewhere = new Set<string>();
    for (const member of all) {
      const cut = member.indexOf('\n');
      if (member.slice(0, cut) !== this.nodeId) elsewhere.add(member.slice(cut + 1));
    }
    return [...elsewhere];
  }

  sendConsole(appId: string, line: string): void {
    this.redis.publish(this.#channel(appId), `${this.nodeId}\n${line}`).catch(() => undefined);
  }

  receiveConsole(appIds: readonly string[], onLine: (appId: string, line: string) => void): void {
    this.#onLine = onLine;
    const wanted = new Set(appIds.map((appId) => this.#channel(appId)));
    if (wanted.size === 0) {
      this.close();
      return;
    }
    const subscriber = this.#subscriber ?? this.#open();
    const added = [...wanted].filter((channel) => !this.#channels.has(channel));
    const removed = [...this.#channels].filter((channel) => !wanted.has(channel));
    this.#channels = wanted;
    // Not connected yet: `ready` subscribes to what is wanted then.
    if (subscriber.status !== 'ready') return;
    if (added.length > 0) subscriber.subscribe(...added).catch(() => undefined);
    if (removed.length > 0) subscriber.unsubscribe(...removed).catch(() => undefined);
  }

  #open(): Redis {
    const subscriber = (this.#subscriber = openSubscriber(this.target, false));
    const prefix = `${this.keys.prefix}:console:`;
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => {
      if (this.#channels.size > 0) subscriber.subscribe(...this.#channels).catch(() => undefined);
    });
    subscriber.on('message', (channel: string, message: string) => {
      const cut = message.indexOf('\n');
      if (cut < 0 || message.slice(0, cut) === this.nodeId) return;
      this.#onLine?.(channel.slice(prefix.length), message.slice(cut + 1));
    });
    subscriber.connect().catch(() => undefined);
    return subscriber;
  }

  close(): void {
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    this.#channels = new Set();
  }
}
