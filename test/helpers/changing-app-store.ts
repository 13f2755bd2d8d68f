/** An app store whose apps a test changes while the server runs, as PostgreSQL's would change. */
import type { AppStore } from '../../src/apps/app-store.ts';
import { appSchema, type AppConfig } from '../../src/config/schema.ts';

export class ChangingAppStore implements AppStore {
  readonly dynamic = true;
  #apps: AppConfig[];

  constructor(apps: readonly unknown[]) {
    this.#apps = apps.map((app) => Object.freeze(appSchema.parse(app)));
  }

  /** The app becomes a new object, as a store's reload makes it. */
  change(id: string, fields: Partial<AppConfig>): void {
    this.#apps = this.#apps.map((app) =>
      app.id === id ? Object.freeze({ ...app, ...fields }) : app,
    );
  }

  byKey = (key: string) => this.#apps.find((app) => app.key === key);
  byId = (id: string) => this.#apps.find((app) => app.id === id);
  all = () => this.#apps;
  async close(): Promise<void> {}
}
