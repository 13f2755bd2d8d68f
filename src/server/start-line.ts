/**
 * The one `info` line a server writes once it listens: where, which apps (ids and public keys,
 * never a secret), the adapter and the app store (its table, never its URL), and TLS.
 */
import type { AppStore } from '../apps/app-store.ts';
import type { Config } from '../config/schema.ts';

/** The start line's fields: where, which apps (ids and public keys only), adapter, app store. */
export function startFields(
  config: Config,
  apps: AppStore,
  address: string,
  tls: string | undefined,
) {
  const served = apps.all();
  const store = config.appStore;
  return {
    address,
    apps: served.slice(0, 20).map((app) => ({ id: app.id, key: app.key })),
    appCount: served.length,
    adapter: config.adapter,
    appStore: store.type === 'postgres' ? { type: store.type, table: store.table } : store,
    ...(tls ? { tls } : {}),
  };
}

export function startLine(config: Config, apps: AppStore, address: string): string {
  const served = apps.all();
  const ids = served.slice(0, 5).map((app) => app.id);
  const more = served.length > ids.length ? `, +${served.length - ids.length} more` : '';
  const store = config.appStore;
  const from =
    store.type === 'postgres' ? `PostgreSQL table "${store.table}"` : 'the configuration';
  return (
    `Pushwire listening on ${address}: ${served.length} app${served.length === 1 ? '' : 's'} ` +
    `(${ids.join(', ')}${more}) from ${from}, ${config.adapter} adapter`
  );
}
