/**
 * Apps kept in a PostgreSQL table, so they can be added, changed and removed without a restart.
 * Lookups answer from an in-memory snapshot. The snapshot is reloaded when a trigger on the table
 * sends a notification (LISTEN/NOTIFY, so a change shows within milliseconds), every
 * `refreshSeconds` in case a notification was lost, and after every reconnect. While the
 * database is unreachable the last snapshot keeps serving, and the store reconnects with a
 * doubling delay.
 *
 * Each row is one app: `id`, `key` and `secret` columns, and every other app setting in the
 * `settings` JSON object, checked by the same schema as the configuration file. A row that
 * fails the check is left out and logged (without its secret); the other apps keep serving.
 */
import pg from 'pg';
import { deepFreeze } from '../config/freeze.ts';
import { appSchema, type AppConfig } from '../config/schema.ts';
import { PushwireError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { AppStore } from './app-store.ts';
import { schemaStatements } from './postgres-schema.ts';

export interface PostgresAppStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Created with its trigger if missing. A plain lower-case identifier. */
  readonly table: string;
  readonly refreshSeconds: number;
  readonly logger: Logger;
  /** How long the first connection may take before start-up fails. */
  readonly connectTimeoutMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

interface AppRow {
  id: string;
  key: string;
  secret: string;
  settings: unknown;
}

export class PostgresAppStore implements AppStore {
  readonly dynamic = true;
  #byKey = new Map<string, AppConfig>();
  #byId = new Map<string, AppConfig>();
  #all: readonly AppConfig[] = [];
  #client: pg.Client | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #reconnectDelayMs = 1000;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  #closed = false;

  private constructor(private readonly options: PostgresAppStoreOptions) {}

  /** Connects, creates the table if needed and loads every app; throws if any of it fails. */
  static async open(options: PostgresAppStoreOptions): Promise<PostgresAppStore> {
    const store = new PostgresAppStore(options);
    try {
      await store.#connect();
    } catch (error) {
      throw new PushwireError(
        `PostgreSQL app store: cannot load apps from table "${options.table}": ${describe(error)}`,
        { cause: error },
      );
    }
    store.#refresh = setInterval(() => store.#reloadSoon(), options.refreshSeconds * 1000);
    store.#refresh.unref();
    return store;
  }

  byKey(key: string) {
    return this.#byKey.get(key);
  }

  byId(id: string) {
    return this.#byId.get(id);
  }

  all() {
    return this.#all;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#refresh);
    clearTimeout(this.#reconnect);
    await this.#reloading;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const { url, table, connectTimeoutMs = 10_000 } = this.options;
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      // Lets an operator find this connection in pg_stat_activity.
      application_name: `pushwire:${table}`,
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    client.on('notification', () => this.#reloadSoon());
    try {
      await client.connect();
      for (const statement of schemaStatements(table)) await client.query(statement);
      await client.query(`LISTEN ${table}`);
      this.#client = client;
      await this.#load(client);
    } catch (error) {
      this.#client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#reconnectDelayMs = 1000;
  }

  /** Coalesces reload requests: at most one query runs, and one more follows it if asked. */
  #reloadSoon(): void {
    if (this.#closed) return;
    if (this.#reloading) {
      this.#reloadAgain = true;
      return;
    }
    const client = this.#client;
    if (!client) return;
    this.#reloading = this.#load(client)
      .catch((error: unknown) => {
        this.options.logger.warn({ err: describe(error) }, 'PostgreSQL app store: reload failed');
      })
      .finally(() => {
        this.#reloading = undefined;
        if (this.#reloadAgain) {
          this.#reloadAgain = false;
          this.#reloadSoon();
        }
      });
  }

  async #load(client: pg.Client): Promise<void> {
    const result = await client.query<AppRow>(
      `SELECT id, key, secret, settings FROM ${this.options.table} ORDER BY id`,
    );
    const byKey = new Map<string, AppConfig>();
    const byId = new Map<string, AppConfig>();
    for (const row of result.rows) {
      const app = this.#parse(row);
      if (!app) continue;
      // Keep the object of an unchanged app, so its holders do not see a change that is not one.
      const previous = this.#byId.get(app.id);
      const kept = previous && sameApp(previous, app) ? previous : app;
      byKey.set(kept.key, kept);
      byId.set(kept.id, kept);
    }
    this.#byKey = byKey;
    this.#byId = byId;
    this.#all = Object.freeze([...byId.values()]);
  }

  #parse(row: AppRow): AppConfig | undefined {
    const settings = isObject(row.settings) ? row.settings : {};
    const parsed = appSchema.safeParse({
      ...settings,
      id: row.id,
      key: row.key,
      secret: row.secret,
    });
    if (parsed.success) return deepFreeze(parsed.data);
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    this.options.logger.warn({ appId: row.id, problems }, 'PostgreSQL app store: app left out');
    return undefined;
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    this.options.logger.warn(
      { err: describe(error), retryInMs: this.#reconnectDelayMs },
      'PostgreSQL app store: connection lost; serving the last apps loaded',
    );
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.#reconnect = setTimeout(() => {
      this.#connect().catch((error: unknown) => {
        this.options.logger.warn(
          { err: describe(error), retryInMs: this.#reconnectDelayMs },
          'PostgreSQL app store: reconnect failed',
        );
        this.#scheduleReconnect();
      });
    }, delay);
    this.#reconnect.unref();
  }
}

function sameApp(a: AppConfig, b: AppConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error's message only: a pg error object can carry the query and connection details. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
