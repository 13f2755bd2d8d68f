/**
 * The AppStore contract (src/apps/app-store.ts), as one suite every implementation runs.
 * `make` builds a store holding the given apps (settings as in the configuration file); a
 * dynamic store's factory also offers `change`, which edits its backend the way an operator would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppStore } from '../../src/apps/app-store.ts';
import { waitUntil } from '../helpers/wait.ts';

export interface AppInput {
  id: string;
  key: string;
  secret: string;
  [setting: string]: unknown;
}

export interface AppStoreFactory {
  make(apps: AppInput[]): Promise<AppStore>;
  /** Present for dynamic stores: replaces the backend's apps with these. */
  change?(store: AppStore, apps: AppInput[]): Promise<void>;
}

const one: AppInput = { id: 'one', key: 'key-one', secret: 'secret-one' };
const two: AppInput = { id: 'two', key: 'key-two', secret: 'secret-two', maxPresenceMembers: 5 };

export function appStoreContract(name: string, factory: AppStoreFactory): void {
  describe(`${name} app store contract`, () => {
    const open: AppStore[] = [];
    const make = async (apps: AppInput[]) => {
      const store = await factory.make(apps);
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    it('finds each app by key and by id', async () => {
      const store = await make([one, two]);
      expect(store.byKey('key-two')?.id).toBe('two');
      expect(store.byId('one')?.key).toBe('key-one');
    });

    it('answers undefined for an unknown key or id', async () => {
      const store = await make([one]);
      expect(store.byKey('key-nope')).toBeUndefined();
      expect(store.byId('nope')).toBeUndefined();
    });

    it('lists every app', async () => {
      const store = await make([one, two]);
      expect(
        store
          .all()
          .map((app) => app.id)
          .sort(),
      ).toEqual(['one', 'two']);
    });

    it('applies the app defaults and keeps the settings given', async () => {
      const store = await make([one, two]);
      expect(store.byId('one')).toMatchObject({ maxPresenceMembers: 100, enabled: true });
      expect(store.byId('two')?.maxPresenceMembers).toBe(5);
    });

    it('hands out frozen apps', async () => {
      const store = await make([one]);
      expect(Object.isFrozen(store.byId('one'))).toBe(true);
      expect(Object.isFrozen(store.byId('one')?.webhooks)).toBe(true);
    });

    it('keeps answering from its last snapshot after close', async () => {
      const store = await make([one]);
      await store.close();
      expect(store.byKey('key-one')?.id).toBe('one');
    });

    const change = factory.change;
    if (!change) return;

    it('serves an added app within a few seconds', async () => {
      const store = await make([one]);
      await change(store, [one, two]);
      await waitUntil(() => store.byKey('key-two'), 'the added app');
      expect(store.all()).toHaveLength(2);
    });

    it('stops serving a removed app within a few seconds', async () => {
      const store = await make([one, two]);
      await change(store, [one]);
      await waitUntil(() => store.byId('two') === undefined, 'the removal');
      expect(store.byKey('key-two')).toBeUndefined();
    });

    it('hands out a new object for a changed app and the same one for an unchanged app', async () => {
      const store = await make([one, two]);
      const before = { one: store.byId('one'), two: store.byId('two') };
      await change(store, [one, { ...two, secret: 'rotated' }]);
      await waitUntil(() => store.byId('two')?.secret === 'rotated', 'the new secret');
      expect(store.byId('two')).not.toBe(before.two);
      expect(store.byId('one')).toBe(before.one);
    });
  });
}
