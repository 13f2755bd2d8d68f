/**
 * The live console's feed: what happens in an app (connections, subscriptions, refusals,
 * presence, client events, API messages), handed to whoever watches that app. Nothing is built
 * or kept while nobody watches: sources ask `watching(appId)` first, and the hub holds no
 * history. A busy app is capped: past MAX_ENTRIES_PER_SECOND its entries are skipped, counted,
 * and the count is reported (`capped`) when the feed asks, so the page can say so.
 *
 * Across a cluster (relay.ts): while another node watches an app, this node's entries of that app
 * are also handed to `relay` (within a cap of their own), and the lines other nodes relay arrive
 * through `receive`, under this node's cap like its own.
 */
import type { ChannelEvent } from '../channels/channel-events.ts';
import { TokenBucket } from '../connection/rate-limit.ts';
import type { WebhookAttempt } from '../webhooks/delivery.ts';

/** Per app, whatever the number of watchers: what a browser table can show and still scroll. */
export const MAX_ENTRIES_PER_SECOND = 200;

export type ConsoleEntry =
  | ChannelEvent
  | { name: 'connected'; appId: string; socketId: string }
  /** `code`: the WebSocket close code (1000 normal, 1006 dropped, 4xxx Pusher's). */
  | { name: 'disconnected'; appId: string; socketId: string; code?: number }
  | { name: 'subscribed'; appId: string; channel: string; socketId: string; userId?: string }
  | { name: 'unsubscribed'; appId: string; channel: string; socketId: string }
  /**
   * A `pusher:error` sent to a client: `reason` is its message, with any signature masked. No
   * socket for a connection refused before it got one; `channel` when it was about a channel.
   */
  | {
      name: 'refused';
      appId: string;
      socketId?: string;
      channel?: string;
      code: number | null;
      reason: string;
    }
  | { name: 'api_message'; appId: string; channel: string; event: string; data: string }
  /** One webhook request: its target, event names, status or error, latency and retry number. */
  | ({ name: 'webhook' } & WebhookAttempt);

/** Receives each entry as one JSON line (without the app id, which the watcher chose). */
export type ConsoleWatcher = (line: string) => void;

interface Watched {
  readonly watchers: Set<ConsoleWatcher>;
  readonly budget: TokenBucket;
  skipped: number;
}

/** Hands one entry's line to the other nodes that watch its app. */
export type ConsoleRelaySend = (appId: string, line: string) => void;

export class ConsoleHub {
  readonly #apps = new Map<string, Watched>();
  /** Apps another node watches, each with the cap on what this node relays to it. */
  #remote = new Map<string, TokenBucket>();
  #relay: ConsoleRelaySend | undefined;
  /** Told when this node's set of watched apps changes. */
  onWatchedChange: (() => void) | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  watching(appId: string): boolean {
    return this.#apps.has(appId) || this.#remote.has(appId);
  }

  /** The apps watched on this node. */
  watchedApps(): string[] {
    return [...this.#apps.keys()];
  }

  /** From now on, relays the entries of `appIds` (watched on other nodes) through `send`. */
  relayTo(appIds: Iterable<string>, send: ConsoleRelaySend): void {
    const remote = new Map<string, TokenBucket>();
    for (const appId of appIds) {
      remote.set(appId, this.#remote.get(appId) ?? new TokenBucket(MAX_ENTRIES_PER_SECOND));
    }
    this.#remote = remote;
    this.#relay = send;
  }

  /** A line another node relayed: to this node's watchers of `appId`, under its cap. */
  receive(appId: string, line: string): void {
    const watched = this.#apps.get(appId);
    if (!watched) return;
    if (!watched.budget.take(this.now())) watched.skipped++;
    else this.#send(watched, line);
  }

  /** Starts sending `appId`'s entries to `watcher`; returns what stops it. */
  watch(appId: string, watcher: ConsoleWatcher): () => void {
    let watched = this.#apps.get(appId);
    if (!watched) {
      watched = {
        watchers: new Set(),
        budget: new TokenBucket(MAX_ENTRIES_PER_SECOND),
        skipped: 0,
      };
      this.#apps.set(appId, watched);
      this.onWatchedChange?.();
    }
    const { watchers } = watched;
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && this.#apps.get(appId) === watched) {
        this.#apps.delete(appId);
        this.onWatchedChange?.();
      }
    };
  }

  /** Serialized once, whatever the number of watchers; skipped (and counted) past the cap. */
  readonly publish = (entry: ConsoleEntry): void => {
    const watched = this.#apps.get(entry.appId);
    const remote = this.#remote.get(entry.appId);
    if (!watched && !remote) return;
    const now = this.now();
    const local = watched?.budget.take(now) ?? false;
    if (watched && !local) watched.skipped++;
    // Past its own cap, what another node would show is skipped here: its feed stays readable.
    const relayed = remote?.take(now) ?? false;
    if (!local && !relayed) return;
    const { appId, ...fields } = entry;
    const line = JSON.stringify({ at: new Date(now).toISOString(), ...fields });
    if (local && watched) this.#send(watched, line);
    if (relayed) this.#relay?.(appId, line);
  };

  /** Tells `appId`'s watchers how many entries the cap skipped since the last report, if any. */
  reportCapped(appId: string): void {
    const watched = this.#apps.get(appId);
    if (!watched || watched.skipped === 0) return;
    const line = JSON.stringify({
      at: new Date(this.now()).toISOString(),
      name: 'capped',
      count: watched.skipped,
      limit: MAX_ENTRIES_PER_SECOND,
    });
    watched.skipped = 0;
    this.#send(watched, line);
  }

  #send(watched: Watched, line: string): void {
    for (const watcher of watched.watchers) watcher(line);
  }
}

/** A refusal's message as the console shows it: a signature a client sent is never echoed. */
export { withoutSignatures as maskSignatures } from '../observability/log-safe.ts';
