/**
 * One `subscription_count` announcer per busy channel, cluster-wide: the node that sets the
 * channel's lease key (SET NX PX interval, in the channel's slot) announces, with the count read
 * in the same script, and every other node waits for the lease to expire before it tries again.
 */
import type { RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';

/** KEYS: the channel hash, its lease. ARGV: interval ms, node id. */
const CLAIM = `
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then
  return {1, tonumber(redis.call('HGET', KEYS[1], 'subs') or '0')}
end
return {0, redis.call('PTTL', KEYS[2])}
`;

export async function claimCountAnnouncement(
  redis: Scripted,
  keys: RedisKeys,
  nodeId: string,
  appId: string,
  channel: string,
  intervalMs: number,
): Promise<{ won: true; count: number } | { won: false; retryInMs: number }> {
  const channelKey = keys.channel(appId, channel);
  const lease = `${channelKey}:count-lease`;
  const [won, value] = (await redis.eval(CLAIM, 2, channelKey, lease, intervalMs, nodeId)) as [
    number,
    number,
  ];
  return won === 1 ? { won: true, count: value } : { won: false, retryInMs: Math.max(1, value) };
}
