/** Builds the app store the configuration names. */
import type { Config } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import { StaticAppStore, type AppStore } from './app-store.ts';
import { PostgresAppStore } from './postgres-app-store.ts';

export async function openAppStore(config: Config, logger: Logger): Promise<AppStore> {
  const store = config.appStore;
  if (store.type === 'config') return new StaticAppStore(config.apps);
  return PostgresAppStore.open({ ...store, logger });
}
