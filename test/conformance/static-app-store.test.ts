import { StaticAppStore } from '../../src/apps/app-store.ts';
import { resolveConfig } from '../../src/config/load.ts';
import { appStoreContract } from './app-store.suite.ts';

appStoreContract('StaticAppStore', {
  make: async (apps) => new StaticAppStore(resolveConfig({ apps }).apps),
});
