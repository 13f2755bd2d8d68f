/**
 * The sweep's half of the `subscription_count` throttle (count-throttle.ts): announces each change
 * it held back, with the channel's count as it is then. In a cluster that elects one announcer
 * per channel (adapter/cluster.ts), a node announces only when it wins the channel's claim for
 * the interval, and otherwise tries again once that claim has expired.
 */
import type { Adapter } from '../adapter/adapter.ts';
import { countAnnouncer } from '../adapter/cluster.ts';
import type { AppStore } from '../apps/app-store.ts';
import type { Clock } from '../connection/transport.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChannelEventSink } from './channel-events.ts';
import { announceCount, type SubscriptionCountThrottle } from './count-throttle.ts';

export interface HeldCountDeps {
  readonly adapter: Adapter;
  readonly apps: AppStore;
  readonly clock: Clock;
  readonly events: ChannelEventSink;
  readonly logger: Logger;
}

export function announceHeldCounts(deps: HeldCountDeps, throttle: SubscriptionCountThrottle): void {
  const { adapter, apps, clock, events, logger } = deps;
  const announce = (appId: string, channel: string, count: number) => {
    if (count > 0 && apps.byId(appId)?.enableSubscriptionCount)
      announceCount({ adapter, events }, appId, channel, count);
  };
  const failed = (appId: string) => (error: unknown) =>
    logger.warn({ err: error, appId }, 'subscription count not announced');
  const announcer = countAnnouncer(adapter);
  for (const { appId, channel } of throttle.due(clock.now())) {
    if (announcer) {
      const retry = (inMs: number) => throttle.retryAt(appId, channel, clock.now() + inMs);
      announcer.claimCountAnnouncement(appId, channel, throttle.intervalMs).then(
        (claim) => (claim.won ? announce(appId, channel, claim.count) : retry(claim.retryInMs)),
        (error: unknown) => {
          // Unreachable cluster: the change stays held, and is tried again an interval later.
          retry(throttle.intervalMs);
          failed(appId)(error);
        },
      );
      continue;
    }
    adapter
      .channel(appId, channel)
      .then((stats) => announce(appId, channel, stats?.subscriptionCount ?? 0), failed(appId));
  }
}
