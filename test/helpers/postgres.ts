/** Gate, unique tables and short-lived connections for suites that need a real PostgreSQL. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { serviceGate } from './service-gate.ts';

export const POSTGRES_URL =
  process.env.PUSHWIRE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the PostgreSQL suites should run; prints the reason when they are skipped. */
export const postgresGate = (suite: string): Promise<boolean> =>
  serviceGate(suite, { name: 'PostgreSQL', url: POSTGRES_URL, answers: postgresAnswers });

const created = new Set<string>();

/** A table name no other test shares; `dropTestTables` removes it afterwards. */
export function uniqueTable(): string {
  const table = `pushwire_test_${randomUUID().slice(0, 8)}`;
  created.add(table);
  return table;
}

/** Drops the tables (and their trigger functions) this process's tests named (afterAll). */
export async function dropTestTables(): Promise<void> {
  const tables = [...created];
  created.clear();
  for (const table of tables) {
    await sql(`DROP TABLE IF EXISTS ${table}; DROP FUNCTION IF EXISTS ${table}_notify()`);
  }
}

/** Runs `work` on a short-lived connection of its own. */
export async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement on a short-lived connection of its own. */
export const sql = (text: string, values: unknown[] = []): Promise<pg.QueryResult> =>
  withClient((client) => client.query(text, values));
