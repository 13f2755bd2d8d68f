import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
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

/**
 * A TCP proxy to PostgreSQL that can turn into a black hole: it drops the connections it carries
 * and holds new ones open without an answer, as a database behind a dead network would.
 */
async function tcpProxy(targetPort: string) {
  let holding = false;
  const carried = new Set<Socket>();
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (holding) return void held.add(socket);
    const upstream = connect(Number(targetPort), '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
    carried.add(socket).add(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    held: () => held.size,
    blackHole() {
      holding = true;
      for (const socket of carried) socket.destroy();
    },
    forward: () => (holding = false),
    close() {
      for (const socket of [...carried, ...held]) socket.destroy();
      server.close();
    },
  };
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

  const connectionsOf = async (table: string) =>
    Number(
      (
        await sql(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [
          `pushwire:${table}`,
        ])
      ).rows[0].n,
    );

  it('closes promptly, and stays closed, while a reconnect hangs', async () => {
    const { logger, warnings } = recordingLogger();
    const proxy = await tcpProxy(new URL(POSTGRES_URL).port || '5432');
    try {
      const url = POSTGRES_URL.replace(/@[^/]+\//, `@127.0.0.1:${proxy.port}/`);
      const table = uniqueTable();
      const store = await PostgresAppStore.open({ url, table, refreshSeconds: 30, logger });
      proxy.blackHole();
      await waitUntil(() => warnings.some((w) => w.message.includes('connection lost')), 'loss');
      await waitUntil(() => proxy.held() > 0, 'the reconnect attempt', 5_000);
      const started = Date.now();
      await store.close();
      expect(Date.now() - started).toBeLessThan(1000);
      proxy.forward();
      await new Promise((resolve) => setTimeout(resolve, 2500)); // a leaked retry would be back
      expect(await connectionsOf(table)).toBe(0);
    } finally {
      proxy.close();
    }
  });

  it('closes promptly while a reload waits on a lock', async () => {
    const table = uniqueTable();
    const store = await openStore(table, [app], { refreshSeconds: 1 });
    await withClient(async (locker) => {
      await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a refresh is now blocked
      const started = Date.now();
      await store.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await locker.query('ROLLBACK');
    });
    expect(await connectionsOf(table)).toBe(0);
  });

  it('accepts a table named after a reserved word', async () => {
    const schema = uniqueTable();
    await sql(`CREATE SCHEMA ${schema}`);
    try {
      const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const store = await PostgresAppStore.open({
        url,
        table: 'user',
        refreshSeconds: 30,
        logger: recordingLogger().logger,
      });
      open.push(store);
      await sql(`INSERT INTO ${schema}."user" (id, key, secret) VALUES ('u', 'key-u', 's')`);
      await waitUntil(() => store.byKey('key-u'), 'the app');
    } finally {
      await Promise.all(open.splice(0).map((store) => store.close()));
      await sql(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('opens an existing table with a role that may only read it', async () => {
    const table = uniqueTable();
    await (await openStore(table, [app])).close();
    const role = `${table}_reader`;
    await sql(`CREATE ROLE ${role} LOGIN; GRANT SELECT ON ${table} TO ${role}`);
    try {
      const store = await PostgresAppStore.open({
        url: POSTGRES_URL.replace('postgres@', `${role}@`),
        table,
        refreshSeconds: 30,
        logger: recordingLogger().logger,
      });
      open.push(store);
      expect(store.byKey('key-a')?.id).toBe('a');
      await store.close();
    } finally {
      await sql(`REVOKE ALL ON ${table} FROM ${role}; DROP ROLE ${role}`);
    }
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
