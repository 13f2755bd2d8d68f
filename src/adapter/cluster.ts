/**
 * Optional abilities of a cluster adapter, for what must happen once per cluster rather than once
 * per node. An adapter that lacks one (the Local adapter, one node) leaves the node to act alone.
 */
import type { Adapter } from './adapter.ts';

/** The cluster-wide claim on a busy channel's `subscription_count` announcement. */
export interface CountAnnouncer {
  /**
   * Claims the channel's next announcement for this node, for `intervalMs` cluster-wide. Won:
   * the channel's count as it is now, to announce. Lost (another node announced within the
   * interval): `retryInMs`, when the claim can next be won. Rejects when the cluster is
   * unreachable.
   */
  claimCountAnnouncement(
    appId: string,
    channel: string,
    intervalMs: number,
  ): Promise<{ won: true; count: number } | { won: false; retryInMs: number }>;
}

export function countAnnouncer(adapter: Adapter): CountAnnouncer | undefined {
  return 'claimCountAnnouncement' in adapter ? (adapter as Adapter & CountAnnouncer) : undefined;
}
