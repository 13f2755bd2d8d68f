/**
 * The apps table and the trigger that announces its changes, created if missing. Run in one
 * transaction under an advisory lock, so servers starting together do not race on the trigger.
 * `table` is also the LISTEN channel; the config schema allows only plain identifiers, and it is
 * checked again here because it is spliced into SQL.
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/;

export function schemaStatements(table: string): string[] {
  if (!IDENTIFIER.test(table)) throw new Error(`not a plain table name: "${table}"`);
  return [
    'BEGIN',
    `SELECT pg_advisory_xact_lock(hashtext('pushwire:${table}'))`,
    `CREATE TABLE IF NOT EXISTS ${table} (
       id text PRIMARY KEY,
       key text NOT NULL UNIQUE,
       secret text NOT NULL,
       settings jsonb NOT NULL DEFAULT '{}'::jsonb
     )`,
    `CREATE OR REPLACE FUNCTION ${table}_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${table}', ''); RETURN NULL; END $$`,
    `DROP TRIGGER IF EXISTS ${table}_changed ON ${table}`,
    `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
     FOR EACH STATEMENT EXECUTE FUNCTION ${table}_notify()`,
    'COMMIT',
  ];
}
