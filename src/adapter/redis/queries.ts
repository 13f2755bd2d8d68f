/**
 * What the HTTP API reads from Redis: channel stats, presence rosters, online users and the cache
 * channel's last event. Each read touches one slot (or, for the channel list, one command per
 * channel), so it works the same on a single Redis and on a Redis Cluster.
 */
import { channelKind } from '../../protocol/channel-kind.ts';
import type { CachedEvent, ChannelStats, JoinOutcome, PresenceMember } from '../adapter.ts';
import type { RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';
import { rosterOf, statsOf } from './roster.ts';

export class Queries {
  constructor(
    private readonly redis: Scripted,
    private readonly keys: RedisKeys,
  ) {}

  /** A repeated join: nothing changes, and the outcome describes the channel as it is. */
  async rejoin(appId: string, channel: string): Promise<JoinOutcome> {
    const fields = await this.redis.hgetall(this.keys.channel(appId, channel));
    return {
      ok: true,
      channelOccupied: false,
      memberAdded: false,
      subscriptionCount: Number(fields.subs ?? 0),
      ...(channelKind(channel).isPresence
        ? { presence: rosterOf(Object.entries(fields).flat()) }
        : {}),
    };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const counts = await this.redis.hmget(this.keys.users(appId), ...userIds);
    return userIds.filter((_id, i) => Number(counts[i] ?? 0) > 0);
  }

  /** The app's occupied channels; a listed channel found empty is left out. */
  async channels(appId: string): Promise<Map<string, ChannelStats>> {
    const names = await this.redis.smembers(this.keys.channels(appId));
    const rows = await Promise.all(
      names.map((name) => this.redis.hmget(this.keys.channel(appId, name), 'subs', 'members')),
    );
    const result = new Map<string, ChannelStats>();
    names.forEach((name, i) => {
      const stats = statsOf(name, rows[i]);
      if (stats) result.set(name, stats);
    });
    return result;
  }

  async channel(appId: string, channel: string): Promise<ChannelStats | undefined> {
    const key = this.keys.channel(appId, channel);
    return statsOf(channel, await this.redis.hmget(key, 'subs', 'members'));
  }

  async members(appId: string, channel: string): Promise<string[]> {
    const fields = await this.redis.hkeys(this.keys.channel(appId, channel));
    return fields.filter((f) => f.startsWith('i:')).map((f) => f.slice(2));
  }

  async member(appId: string, channel: string, userId: string) {
    const info = await this.redis.hget(this.keys.channel(appId, channel), `i:${userId}`);
    if (info === null) return undefined;
    const member: PresenceMember = {
      userId,
      userInfo: info === '' ? null : (JSON.parse(info) as unknown),
    };
    return member;
  }

  async setCache(appId: string, channel: string, event: string, data: string, ttl: number) {
    const value = JSON.stringify([event, data]);
    await this.redis.set(this.keys.cache(appId, channel), value, 'EX', ttl);
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const key = this.keys.cache(appId, channel);
    const replies = await this.redis.multi().get(key).ttl(key).exec();
    const [[, value], [, ttl]] = (replies ?? []) as [[unknown, string | null], [unknown, number]];
    if (value === null || ttl <= 0) return undefined;
    const [event, data] = JSON.parse(value) as [string, string];
    return { event, data, ttlSeconds: ttl };
  }
}
