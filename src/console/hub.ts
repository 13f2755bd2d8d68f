/**
 * The live console's feed: what happens in an app (connections, subscriptions, presence, client
 * events, API messages), handed to whoever watches that app. Nothing is built or kept while
 * nobody watches: sources ask `watching(appId)` first, and the hub holds no history.
 */
import type { ChannelEvent } from '../channels/channel-events.ts';

export type ConsoleEntry =
  | ChannelEvent
  | { name: 'connected' | 'disconnected'; appId: string; socketId: string }
  | { name: 'api_message'; appId: string; channel: string; event: string; data: string };

/** Receives each entry as one JSON line (without the app id, which the watcher chose). */
export type ConsoleWatcher = (line: string) => void;

export class ConsoleHub {
  readonly #watchers = new Map<string, Set<ConsoleWatcher>>();

  constructor(private readonly now: () => number = Date.now) {}

  watching(appId: string): boolean {
    return this.#watchers.has(appId);
  }

  /** Starts sending `appId`'s entries to `watcher`; returns what stops it. */
  watch(appId: string, watcher: ConsoleWatcher): () => void {
    let watchers = this.#watchers.get(appId);
    if (!watchers) this.#watchers.set(appId, (watchers = new Set()));
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0) this.#watchers.delete(appId);
    };
  }

  /** Serialized once, whatever the number of watchers. */
  readonly publish = (entry: ConsoleEntry): void => {
    const watchers = this.#watchers.get(entry.appId);
    if (!watchers) return;
    const { appId: _appId, ...fields } = entry;
    const line = JSON.stringify({ at: new Date(this.now()).toISOString(), ...fields });
    for (const watcher of watchers) watcher(line);
  };
}
