/** Reading presence rosters and channel stats out of the channel hash (layout in keys.ts). */
import { channelKind } from '../../protocol/channel-kind.ts';
import type { PresenceSnapshot } from '../../protocol/frames.ts';
import { keyedByInput } from '../../protocol/json.ts';
import type { ChannelStats } from '../adapter.ts';
import type { BusMessage } from './feed.ts';

export function statsOf(
  channel: string,
  row: Array<string | null> | undefined,
): ChannelStats | undefined {
  const subs = Number(row?.[0] ?? 0);
  if (subs <= 0) return undefined;
  return channelKind(channel).isPresence
    ? { subscriptionCount: subs, userCount: Number(row?.[1] ?? 0) }
    : { subscriptionCount: subs };
}

/** The roster in a channel hash's HGETALL reply (`i:{user}` → user_info JSON). */
export function rosterOf(flat: string[]): PresenceSnapshot {
  const hash = keyedByInput<unknown>();
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i]!;
    if (!field.startsWith('i:')) continue;
    const info = flat[i + 1] ?? '';
    hash[field.slice(2)] = info === '' ? null : (JSON.parse(info) as unknown);
  }
  return snapshot(hash);
}

const snapshot = (hash: Record<string, unknown>): PresenceSnapshot => {
  const ids = Object.keys(hash);
  return { ids, hash, count: ids.length };
};

/**
 * A roster of `version`, with the member events newer than it applied in version order: what a
 * joining socket's view must be when those events reached this node before the socket was
 * registered to receive them. Returns the log ids of the events applied: only those are reflected
 * beyond `version` (an older event published later may still be on its way).
 */
export function withEvents(
  roster: PresenceSnapshot,
  version: number,
  events: readonly BusMessage[],
): { roster: PresenceSnapshot; folded: ReadonlySet<string> } {
  const newer = events.filter((e) => e.version > version).sort((a, b) => a.version - b.version);
  const folded = new Set(newer.map((e) => e.id));
  if (newer.length === 0) return { roster, folded };
  const hash = roster.hash;
  for (const event of newer) {
    const change = memberChange(event.frame);
    if (change?.added) hash[change.userId] = change.info;
    else if (change) delete hash[change.userId];
  }
  return { roster: snapshot(hash), folded };
}

/** The member a `member_added` / `member_removed` frame adds or removes. */
export function memberChange(
  frame: string,
): { added: boolean; userId: string; info: unknown } | undefined {
  try {
    const { event, data } = JSON.parse(frame) as { event?: unknown; data?: unknown };
    if (typeof data !== 'string') return undefined;
    const { user_id: userId, user_info: info } = JSON.parse(data) as {
      user_id?: unknown;
      user_info?: unknown;
    };
    if (typeof userId !== 'string') return undefined;
    if (event === 'pusher_internal:member_added')
      return { added: true, userId, info: info ?? null };
    if (event === 'pusher_internal:member_removed') return { added: false, userId, info: null };
  } catch {
    // Not a member event.
  }
  return undefined;
}
