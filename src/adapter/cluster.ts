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

/**
 * The live console across nodes: which apps are watched where, and the entries relayed to the
 * nodes that watch them. Best effort: a line lost while the cluster is unreachable is not resent.
 */
export interface ConsoleLink {
  /**
   * Marks `appIds` as watched on this node for `ttlMs` (a node that stops refreshing them is
   * forgotten then) and resolves to the apps watched on any other node.
   */
  exchangeWatched(appIds: readonly string[], ttlMs: number): Promise<string[]>;
  /** Hands a console line of `appId` to the other nodes that watch it. */
  sendConsole(appId: string, line: string): void;
  /** Receives the lines other nodes relay for `appIds` (replacing the previous set) until closed. */
  receiveConsole(appIds: readonly string[], onLine: (appId: string, line: string) => void): void;
  close(): void;
}

export interface ConsoleLinked {
  consoleLink(): ConsoleLink;
}

export function consoleLinked(adapter: Adapter): ConsoleLinked | undefined {
  return 'consoleLink' in adapter ? (adapter as Adapter & ConsoleLinked) : undefined;
}
