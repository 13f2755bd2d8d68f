/**
 * Where apps come from. Every store answers the same two lookups synchronously, because they sit
 * on the connection and API hot paths; stores backed by a database keep a cache.
 */
import type { AppConfig } from '../config/schema.ts';

export interface AppStore {
  byKey(key: string): AppConfig | undefined;
  byId(id: string): AppConfig | undefined;
  all(): readonly AppConfig[];
}

/** The apps listed in the configuration (or the embedded default app). */
export class StaticAppStore implements AppStore {
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
}
