/**
 * The config loader (src/config/load.ts) against any file, environment and layer: it returns a
 * configuration or throws a ConfigError naming the problem, never anything else, and a
 * `__proto__` key never slips a setting past the schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { ConfigError } from '../../src/errors.ts';
import { anyJson, anyText, deeplyNested, mutated, runs } from './fuzz.ts';

const dir = mkdtempSync(join(tmpdir(), 'pushwire-config-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Returns what the loader made of it, or the ConfigError's issues; fails on any other throw. */
function outcome(load: () => unknown): 'config' | string[] {
  try {
    load();
    return 'config';
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
}

const KEYS = Object.keys(configSchema.shape);
const setting = fc.oneof(
  fc.constantFrom(...KEYS),
  fc.constantFrom('__proto__', 'constructor', 'toString'),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  anyJson,
  fc.integer(),
  fc.constantFrom(0, -1, 65_536, 6001, null, true, 'redis', 'postgres', '127.0.0.1'),
  fc.array(fc.record({ id: fc.string(), key: fc.string(), secret: fc.string() })),
);
const layer = fc.dictionary(setting, value, { maxKeys: 6 });

describe('config loader, property-based', () => {
  it('turns any layers into a configuration or a ConfigError', () => {
    fc.assert(
      fc.property(fc.array(layer, { maxLength: 3 }), (layers) => {
        const result = outcome(() => resolveConfig(...layers));
        if (result !== 'config') expect(result.length).toBeGreaterThan(0);
      }),
      runs(300),
    );
  });

  it('turns any file into a configuration or a ConfigError', () => {
    const valid = layer.map((l) => JSON.stringify(l));
    fc.assert(
      fc.property(fc.oneof(anyText, valid, mutated(valid), deeplyNested), (text) => {
        const file = join(dir, `config-${++files}.json`);
        writeFileSync(file, text);
        outcome(() => loadConfig({ file, env: {} }));
      }),
      runs(150),
    );
  });

  it('turns any PUSHWIRE_* environment into a configuration or a ConfigError', () => {
    const name = fc.oneof(
      fc.constantFrom('PUSHWIRE_PORT', 'PUSHWIRE_METRICS_PORT', 'PUSHWIRE_APPS', 'PUSHWIRE_HOST'),
      fc.string({ maxLength: 20 }).map((s) => `PUSHWIRE_${s}`),
    );
    const raw = fc.oneof(
      anyText,
      anyJson.map((v) => JSON.stringify(v)),
      fc.constant('tcp://1:2'),
    );
    fc.assert(
      fc.property(fc.dictionary(name, raw, { maxKeys: 5 }), (env) => {
        outcome(() => loadConfig({ env, warn: () => undefined }));
      }),
      runs(200),
    );
  });

  it('refuses a file with a __proto__ key at any depth, naming it', () => {
    const nest = fc.array(fc.constantFrom('apps', 'appStore', 'x'), { maxLength: 4 });
    fc.assert(
      fc.property(nest, value, (path, inner) => {
        let text = `{"__proto__": ${JSON.stringify(inner)}}`;
        for (const key of path.reverse()) text = `{"${key}": ${text}}`;
        const file = join(dir, `proto-${++files}.json`);
        writeFileSync(file, text);
        const result = outcome(() => loadConfig({ file, env: {} }));
        expect(result).toEqual([expect.stringContaining('"__proto__" is not allowed as a key')]);
      }),
      runs(100),
    );
  });
});
