/** The read side of the HTTP API: channel lists, one channel's state, presence users (§11.3). */
import type { Adapter } from '../adapter/adapter.ts';
import type { AppConfig } from '../config/schema.ts';
import { channelKind } from '../protocol/channel-kind.ts';
import { keyedByInput } from '../protocol/json.ts';
import { channelNameProblem } from '../protocol/names.ts';
import { SUBSCRIPTION_COUNT_OFF, splitInfo } from './publish-input.ts';
import { httpError, json, type HttpResponse } from './types.ts';

const MAX_QUERY_CHANNEL_LENGTH = 200;

export async function channelList(
  adapter: Adapter,
  app: AppConfig,
  query: URLSearchParams,
): Promise<HttpResponse> {
  const prefix = query.get('filter_by_prefix') ?? '';
  const info = splitInfo(query.get('info') ?? '');
  const unknown = info.find((i) => i !== 'user_count' && i !== 'subscription_count');
  if (unknown) return httpError(400, `info: unknown attribute ${unknown.slice(0, 50)}`);
  if (info.includes('subscription_count') && !app.enableSubscriptionCount) {
    return httpError(400, `info: ${SUBSCRIPTION_COUNT_OFF}`);
  }
  if (info.includes('user_count') && !prefix.startsWith('presence-')) {
    return httpError(400, 'info=user_count requires filter_by_prefix=presence-');
  }
  const channels = keyedByInput<{ user_count?: number; subscription_count?: number }>();
  for (const [name, stats] of await adapter.channels(app.id)) {
    // Internal channels (#server-to-user-, #watchlist-) are not the app's to list.
    if (channelKind(name).isInternal || !name.startsWith(prefix)) continue;
    const entry: { user_count?: number; subscription_count?: number } = {};
    if (info.includes('user_count')) entry.user_count = stats.userCount ?? 0;
    if (info.includes('subscription_count')) entry.subscription_count = stats.subscriptionCount;
    channels[name] = entry;
  }
  return json(200, { channels });
}

export async function channelInfo(
  adapter: Adapter,
  app: AppConfig,
  channel: string,
  query: URLSearchParams,
): Promise<HttpResponse> {
  const problem = channelNameProblem(channel, MAX_QUERY_CHANNEL_LENGTH);
  if (problem) return httpError(400, `channel: ${problem}`);
  const kind = channelKind(channel);
  const info = splitInfo(query.get('info') ?? '');
  for (const attribute of info) {
    if (attribute === 'user_count' && !kind.isPresence) {
      return httpError(400, 'info=user_count is only available for presence channels');
    }
    if (attribute === 'cache' && !kind.isCache)
      return httpError(400, 'info=cache is only available for cache channels');
    if (!['user_count', 'subscription_count', 'cache'].includes(attribute)) {
      return httpError(400, `info: unknown attribute ${attribute.slice(0, 50)}`);
    }
    if (attribute === 'subscription_count' && !app.enableSubscriptionCount) {
      return httpError(400, `info: ${SUBSCRIPTION_COUNT_OFF}`);
    }
  }
  const stats = await adapter.channel(app.id, channel);
  const body: Record<string, unknown> = { occupied: stats !== undefined };
  // [U] subscription_count is answered for presence channels too: more useful than a 400.
  if (info.includes('user_count')) body.user_count = stats?.userCount ?? 0;
  if (info.includes('subscription_count')) body.subscription_count = stats?.subscriptionCount ?? 0;
  if (info.includes('cache')) {
    const cached = await adapter.getCache(app.id, channel);
    body.cache = cached ? { event: cached.event, data: cached.data, ttl: cached.ttlSeconds } : null;
  }
  return json(200, body);
}

export async function channelUsers(
  adapter: Adapter,
  app: AppConfig,
  channel: string,
): Promise<HttpResponse> {
  const problem = channelNameProblem(channel, MAX_QUERY_CHANNEL_LENGTH);
  if (problem) return httpError(400, `channel: ${problem}`);
  if (!channelKind(channel).isPresence)
    return httpError(400, 'users are only available for presence channels');
  const ids = await adapter.members(app.id, channel);
  return json(200, { users: ids.map((id) => ({ id })) });
}

/**
 * The console's `GET /apps/{id}/console/member?channel=…&user_id=…`: one presence member's
 * user_info, asked for when the operator opens it rather than sent with every summary.
 */
export async function consoleMember(
  adapter: Adapter,
  app: AppConfig,
  query: URLSearchParams,
): Promise<HttpResponse> {
  const channel = query.get('channel') ?? '';
  const userId = query.get('user_id') ?? '';
  const problem = channelNameProblem(channel, MAX_QUERY_CHANNEL_LENGTH);
  if (problem) return httpError(400, `channel: ${problem}`);
  if (!channelKind(channel).isPresence) return httpError(400, 'channel: not a presence channel');
  const member = await adapter.member(app.id, channel, userId);
  if (!member) return httpError(404, 'Not a member of this channel');
  return json(200, { user_id: member.userId, user_info: member.userInfo });
}
