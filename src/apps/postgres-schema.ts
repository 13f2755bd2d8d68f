/**
 * The apps table and the trigger that announces its changes, created only where missing, so a
 * role that may only read the table can run Pushwire once the table exists. Run in one
 * transaction under an advisory lock, so servers starting together do not race. Identifiers are
 * quoted (a table may be called `user`); `table` is checked here again because it is spliced into
 * SQL, and it is also the LISTEN channel.
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/;

export function schemaStatements(table: string): string[] {
  if (!IDENTIFIER.test(table)) throw new Error(`not a plain table name: "${table}"`);
  const quoted = `"${table}"`;
  return [
    'BEGIN',
    `SELECT pg_advisory_xact_lock(hashtext('pushwire:${table}'))`,
    `DO $do$ BEGIN
       IF to_regclass('${quoted}') IS NULL THEN
         CREATE TABLE ${quoted} (
           id text PRIMARY KEY,
           key text NOT NULL UNIQUE,
           secret text NOT NULL,
           settings jsonb NOT NULL DEFAULT '{}'::jsonb
         );
       END IF;
       IF NOT EXISTS (SELECT 1 FROM pg_trigger
                      WHERE tgrelid = '${quoted}'::regclass AND tgname = '${table}_changed') THEN
         CREATE OR REPLACE FUNCTION "${table}_notify"() RETURNS trigger LANGUAGE plpgsql AS $fn$
           BEGIN PERFORM pg_notify('${table}', ''); RETURN NULL; END
         $fn$;
         CREATE TRIGGER "${table}_changed"
           AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${quoted}
           FOR EACH STATEMENT EXECUTE FUNCTION "${table}_notify"();
       END IF;
     END $do$`,
    'COMMIT',
  ];
}
