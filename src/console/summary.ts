/**
 * What the console's summary panel shows of an app: its open connections and its occupied
 * channels with their counts, for the whole cluster, as the adapter answers them. Built only for
 * a feed that is open, and bounded: the busiest channels first, a few member ids each.
 */
import type { Adapter } from '../adapter/adapter.ts';
import { channelKind } from '../protocol/channel-kind.ts';

export const MAX_SUMMARY_CHANNELS = 100;
/** Presence channels whose member ids are listed, and the ids listed per channel. */
export const MAX_ROSTERS = 20;
export const MAX_ROSTER_IDS = 50;

export interface ChannelSummary {
  readonly channel: string;
  readonly subscriptionCount: number;
  readonly userCount?: number;
  /** Presence channels: member ids, at most MAX_ROSTER_IDS of them. */
  readonly members?: string[];
}

export interface ConsoleSummary {
  readonly name: 'summary';
  readonly connections: number;
  readonly channelCount: number;
  /** The busiest channels, at most MAX_SUMMARY_CHANNELS. */
  readonly channels: ChannelSummary[];
}

export async function consoleSummary(adapter: Adapter, appId: string): Promise<ConsoleSummary> {
  const [connections, all] = await Promise.all([
    adapter.connectionCount(appId),
    adapter.channels(appId),
  ]);
  const visible = [...all].filter(([channel]) => !channelKind(channel).isInternal);
  const busiest = visible
    .sort(([a, x], [b, y]) => y.subscriptionCount - x.subscriptionCount || (a < b ? -1 : 1))
    .slice(0, MAX_SUMMARY_CHANNELS);
  let rosters = 0;
  const channels = await Promise.all(
    busiest.map(async ([channel, stats]): Promise<ChannelSummary> => {
      const row = { channel, ...stats };
      if (!channelKind(channel).isPresence || rosters++ >= MAX_ROSTERS) return row;
      const members = await adapter.members(appId, channel);
      return { ...row, members: members.sort().slice(0, MAX_ROSTER_IDS) };
    }),
  );
  return { name: 'summary', connections, channelCount: visible.length, channels };
}

/** How long one app's summary serves every feed that asks for it. */
export const SHARED_SUMMARY_MS = 1000;
const shared = new WeakMap<Adapter, (appId: string) => Promise<ConsoleSummary>>();

/**
 * `consoleSummary` for `adapter`, asked at most once per app per SHARED_SUMMARY_MS however many
 * feeds watch that app: a second operator costs the adapter nothing more. The first caller's
 * clock serves them all.
 */
export function sharedSummary(
  adapter: Adapter,
  now: () => number = Date.now,
): (appId: string) => Promise<ConsoleSummary> {
  const known = shared.get(adapter);
  if (known) return known;
  const recent = new Map<string, { at: number; summary: Promise<ConsoleSummary> }>();
  const summarize = (appId: string): Promise<ConsoleSummary> => {
    const at = now();
    // Only apps watched in the last second stay: the map is as small as the set of watched apps.
    for (const [id, entry] of recent) if (at - entry.at >= SHARED_SUMMARY_MS) recent.delete(id);
    const hit = recent.get(appId);
    if (hit) return hit.summary;
    const summary = consoleSummary(adapter, appId);
    const entry = { at, summary };
    recent.set(appId, entry);
    // A failure is not kept: the next feed asks again.
    summary.catch(() => recent.get(appId) === entry && recent.delete(appId));
    return summary;
  };
  shared.set(adapter, summarize);
  return summarize;
}

/**
 * Sends the summary when it changed, at most one query at a time: a slow adapter makes the
 * panel lag, never pile up queries. `send` returns false when the feed cannot take it now.
 */
export function summaryTicker(
  summarize: () => Promise<ConsoleSummary>,
  send: (line: string) => void,
  onError: (error: unknown) => void = () => undefined,
) {
  let busy = false;
  let stopped = false;
  let last = '';
  return {
    tick(): void {
      if (busy || stopped) return;
      busy = true;
      summarize()
        .then((summary) => {
          const line = JSON.stringify(summary);
          if (stopped || line === last) return;
          last = line;
          send(line);
        }, onError)
        .finally(() => (busy = false));
    },
    stop(): void {
      stopped = true;
    },
  };
}
