import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AppStore } from '../../src/apps/app-store.ts';
import { PostgresAppStore } from '../../src/apps/postgres-app-store.ts';
import type { Logger } from '../../src/observability/logger.ts';
import {
  POSTGRES_URL,
  dropTestTables,
  postgresGate,
  sql,
  uniqueTable,
  withClient,
} from '../helpers/postgres.ts';
import { waitUntil } from '../helpers/wait.ts';
import { appStoreContract, type AppInput } from './app-store.suite.ts';

const enabled = await postgresGate('PostgresAppStore');
afterAll(async () => {
  if (enabled) await dropTestTables();
});

/** A logger that keeps what was warned, for the checks; everything else is dropped. */
function recordingLogger() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    info: () => undefined,
    error: () => undefined,
    debug: () => undefined,
  } as unknown as Logger;
  return { logger, warnings };
}

const tables = new Map<AppStore, string>();
const open: AppStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

/** Replaces the table's rows in one transaction, as an operator's script would. */
async function writeApps(table: string, apps: AppInput[]): Promise<void> {
  await withClient(async (client) => {
    await client.query('BEGIN');
    await client.query(`DELETE FROM ${table}`);
    for (const { id, key, secret, ...settings } of apps) {
      await client.query(
        `INSERT INTO ${table} (id, key, secret, settings) VALUES ($1, $2, $3, $4)`,
        [id, key, secret, JSON.stringify(settings)],
      );
    }
    await client.query('COMMIT');
  });
}

async function openStore(
  table = uniqueTable(),
  apps: AppInput[] = [],
  options: { refreshSeconds?: number; logger?: Logger } = {},
): Promise<PostgresAppStore> {
  const store = await PostgresAppStore.open({
    url: POSTGRES_URL,
    table,
    refreshSeconds: options.refreshSeconds ?? 30,
    logger: options.logger ?? recordingLogger().logger,
  });
  open.push(store);
  tables.set(store, table);
  if (apps.length > 0) {
    await writeApps(table, apps);
    await waitUntil(() => store.all().length === apps.length, 'the seeded apps');
  }
  return store;
}

describe.skipIf(!enabled)('PostgresAppStore', () => {
  appStoreContract('PostgresAppStore', {
    make: (apps) => openStore(uniqueTable(), apps),
    change: (store, apps) => writeApps(tables.get(store)!, apps),
  });

  const app = { id: 'a', key: 'key-a', secret: 'secret-a' };

  it('creates its table on first start and opens an existing one after', async () => {
    const table = uniqueTable();
    await (await openStore(table)).close();
    const again = await openStore(table, [app]);
    expect(again.byKey('key-a')?.id).toBe('a');
  });

  it('lets several servers create the same table at once', async () => {
    const table = uniqueTable();
    const stores = await Promise.all([openStore(table), openStore(table), openStore(table)]);
    await writeApps(table, [app]);
    for (const store of stores) await waitUntil(() => store.byKey('key-a'), 'the app');
  });

  it('leaves out a row whose settings fail the app schema, and says which without its secret', async () => {
    const { logger, warnings } = recordingLogger();
    const table = uniqueTable();
    const store = await openStore(table, [], { logger });
    await writeApps(table, [
      app,
      { id: 'bad', key: 'key-bad', secret: 'hush', maxConnections: -1 },
    ]);
    await waitUntil(() => store.byKey('key-a'), 'the good app');
    const warning = await waitUntil(
      () => warnings.find((w) => w.fields.appId === 'bad'),
      'the warning',
    );
    expect(store.byKey('key-bad')).toBeUndefined();
    expect(warning.fields.problems).toEqual([expect.stringContaining('maxConnections')]);
    expect(JSON.stringify(warnings)).not.toContain('hush');
  });

  it('keeps serving while its connection is lost, and catches up once it is back', async () => {
    const { logger, warnings } = recordingLogger();
    const table = uniqueTable();
    const store = await openStore(table, [app], { logger });
    await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [`pushwire:${table}`],
    );
    await waitUntil(() => warnings.some((w) => w.message.includes('connection lost')), 'the loss');
    expect(store.byKey('key-a')?.id).toBe('a');
    await writeApps(table, [app, { id: 'b', key: 'key-b', secret: 'secret-b' }]);
    await waitUntil(() => store.byKey('key-b'), 'the app added while disconnected', 10_000);
  });

  it('picks up a change that sent no notification at its next refresh', async () => {
    const table = uniqueTable();
    const store = await openStore(table, [app], { refreshSeconds: 1 });
    await sql(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_changed`);
    await writeApps(table, [{ ...app, secret: 'rotated' }]);
    await waitUntil(() => store.byKey('key-a')?.secret === 'rotated', 'the refresh', 5_000);
  });

  it('refuses to start, naming the table, when the database does not answer', async () => {
    await expect(
      PostgresAppStore.open({
        url: 'postgres://postgres@127.0.0.1:1/postgres',
        table: 'pushwire_apps',
        refreshSeconds: 30,
        logger: recordingLogger().logger,
        connectTimeoutMs: 1000,
      }),
    ).rejects.toThrow(/PostgreSQL app store: cannot load apps from table "pushwire_apps"/);
  });
});
