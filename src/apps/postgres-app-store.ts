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
import { Socket } from 'node:net';
import pg from 'pg';
import { deepFreeze, describeIssues } from '../config/validated.ts';
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
const QUERY_TIMEOUT_MS = 10_000;

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
  #connecting: Promise<void> | undefined;
  /** The connection being opened, not yet installed. */
  #opening: { destroy(): void } | undefined;
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
    // Ending the connection, and dropping the socket of one being opened, fails any query or
    // connect still running, so nothing below waits on a database that does not answer.
    this.#opening?.destroy();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
    await Promise.allSettled([this.#connecting, this.#reloading]);
  }

  #connect(): Promise<void> {
    this.#connecting = this.#openClient().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /** One connection, installed only once it has listened and loaded; ended on any failure. */
  async #openClient(): Promise<void> {
    const { url, table, connectTimeoutMs = 10_000 } = this.options;
    // Held so that close() can drop a connect in progress: pg's own end() waits it out.
    let socket: Socket | undefined;
    const client = new pg.Client({
      stream: () => (socket = new Socket()),
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      // A query that hangs (a lock, a dead peer) fails, and the connection is replaced.
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      // Lets an operator find this connection in pg_stat_activity.
      application_name: `pushwire:${table}`,
    });
    this.#opening = { destroy: () => socket?.destroy() };
    let notified = false;
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    client.on('notification', () => {
      if (this.#client === client) this.#reloadSoon();
      else notified = true;
    });
    try {
      await client.connect();
      for (const statement of schemaStatements(table)) await client.query(statement);
      await client.query(`LISTEN "${table}"`);
      await this.#load(client);
      if (this.#closed) throw new Error('closed');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    } finally {
      this.#opening = undefined;
    }
    this.#client = client;
    this.#reconnectDelayMs = 1000;
    // A change committed while the first load ran.
    if (notified) this.#reloadSoon();
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
        // Whatever failed (a timeout, a dropped table), a fresh connection is the way back.
        this.#lost(client, error instanceof Error ? error : new Error(String(error)));
        void client.end().catch(() => undefined);
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
      `SELECT id, key, secret, settings FROM "${this.options.table}" ORDER BY id`,
    );
    // A load that finished after its connection was replaced or the store closed is stale.
    if (this.#closed || (this.#client !== undefined && this.#client !== client)) return;
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
    const problems = describeIssues(parsed.error);
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

  /** At most one reconnect is ever pending or running. */
  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnect !== undefined || this.#connecting) return;
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      if (this.#closed) return;
      this.#connect().catch((error: unknown) => {
        if (this.#closed) return;
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
