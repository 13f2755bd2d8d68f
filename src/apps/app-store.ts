/**
 * Where apps come from. Every store gives these guarantees, and test/conformance/app-store.suite.ts
 * checks them against each implementation:
 * - Lookups are synchronous, because they sit on the connection and API hot paths; a store backed
 *   by a database answers from an in-memory snapshot it keeps current.
 * - An app is returned with every default of `appSchema` applied, and frozen. A changed app is a
 *   new object, so holders of the old one can tell (`!==`) that it changed.
 * - A store that changes at run time (`dynamic`) makes a change visible to lookups within a few
 *   seconds, and keeps answering from its last snapshot while its backend is unreachable.
 */
import type { AppConfig } from '../config/schema.ts';

export interface AppStore {
  byKey(key: string): AppConfig | undefined;
  byId(id: string): AppConfig | undefined;
  all(): readonly AppConfig[];
  /** True when apps may be added, changed or removed while the server runs. */
  readonly dynamic: boolean;
  /** Releases connections and timers; lookups keep answering from the last snapshot. */
  close(): Promise<void>;
}

/** The apps listed in the configuration (or the embedded default app). */
export class StaticAppStore implements AppStore {
  readonly dynamic = false;
  readonly #byKey: Map<string, AppConfig>;
  readonly #byId: Map<string, AppConfig>;

  constructor(private readonly apps: readonly AppConfig[]) {
    this.#byKey = new Map(apps.map((app) => [app.key, app]));
    this.#byId = new Map(apps.map((app) => [app.id, app]));
  }

  byKey(key: string) {
    return this.#byKey.get(key);
  }

  byId(id: string) {
    return this.#byId.get(id);
  }

  all() {
    return this.apps;
  }

  async close(): Promise<void> {}
}
