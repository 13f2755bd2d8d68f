/** What the API and the sessions read from the shared state: plain reads, no scripts. */
import { channelKind } from '../../protocol/channel-kind.ts';
import type { CachedEvent, ChannelStats, JoinOutcome, PresenceMember } from '../adapter.ts';
import type { RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';
import { rosterOf, statsOf } from './roster.ts';

export class StateReads {
  constructor(
    private readonly keys: RedisKeys,
    private readonly redis: Scripted,
  ) {}

  /** The outcome of a repeated join: the channel as it is, no transition. */
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

  async channels(appId: string): Promise<Map<string, ChannelStats>> {
    const names = await this.redis.smembers(this.keys.channels(appId));
    // One read per channel, all at once: on a cluster each channel has its own slot.
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
    return statsOf(
      channel,
      await this.redis.hmget(this.keys.channel(appId, channel), 'subs', 'members'),
    );
  }

  async members(appId: string, channel: string): Promise<string[]> {
    const fields = await this.redis.hkeys(this.keys.channel(appId, channel));
    return fields.filter((f) => f.startsWith('i:')).map((f) => f.slice(2));
  }

  async member(
    appId: string,
    channel: string,
    userId: string,
  ): Promise<PresenceMember | undefined> {
    const info = await this.redis.hget(this.keys.channel(appId, channel), `i:${userId}`);
    if (info === null) return undefined;
    return { userId, userInfo: info === '' ? null : (JSON.parse(info) as unknown) };
  }

  async cache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const key = this.keys.cache(appId, channel);
    const replies = await this.redis.multi().get(key).ttl(key).exec();
    const [[, value], [, ttl]] = (replies ?? []) as [[unknown, string | null], [unknown, number]];
    if (value === null || ttl <= 0) return undefined;
    const [event, data] = JSON.parse(value) as [string, string];
    return { event, data, ttlSeconds: ttl };
  }
}
