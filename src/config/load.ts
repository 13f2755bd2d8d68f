/**
 * Builds the frozen Config from three layers, later winning: the JSON file, `PUSHWIRE_*`
 * environment variables, then command-line values. The only reader of `process.env` and files.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { isJsonObject } from '../protocol/json.ts';
import { deepFreeze, describeIssues } from './validated.ts';
import { DEFAULT_APP, appSchema, configSchema, type Config } from './schema.ts';

type Layer = Record<string, unknown>;

const ENV_PREFIX = 'PUSHWIRE_';

/** PUSHWIRE_MAX_FRAME_BYTES → maxFrameBytes. Values are parsed as JSON when they can be. */
function envLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    if (name === 'PUSHWIRE_CONFIG') continue;
    const key = name
      .slice(ENV_PREFIX.length)
      .toLowerCase()
      .replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    layer[key] = parseScalar(raw);
  }
  return layer;
}

function parseScalar(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function fileLayer(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`config file ${path}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`config file ${path}: not valid JSON (${(error as Error).message})`]);
  }
  if (!isJsonObject(parsed))
    throw new ConfigError([`config file ${path}: top level must be an object`]);
  return parsed;
}

/** Validates and freezes; with no apps and no app store, the embedded default app is served. */
export function resolveConfig(...layers: Layer[]): Config {
  const merged = Object.assign({}, ...layers) as Layer;
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(describeIssues(result.error));
  }
  const config = result.data;
  if (config.appStore.type === 'postgres') {
    // Apps live in the table; the embedded default app, whose secret is public, is never served.
    if (config.apps.length > 0) {
      throw new ConfigError(['apps: with appStore "postgres", apps are rows of its table']);
    }
  } else if (config.apps.length === 0) {
    config.apps = [appSchema.parse({ ...DEFAULT_APP })];
  }
  const problems = [...duplicates(config), ...workersProblem(config)];
  if (problems.length) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Workers are separate processes: without a shared engine each would be a server of its own. */
function workersProblem(config: Config): string[] {
  if (config.workers === 1 || config.adapter === 'redis') return [];
  return [
    `workers: ${config.workers} workers need a shared engine, and the adapter is "local". ` +
      'Set the Redis adapter: PUSHWIRE_ADAPTER=redis PUSHWIRE_REDIS_URL=redis://127.0.0.1:6379 ' +
      `pushwire start --workers ${config.workers}, or "adapter": "redis" and "redisUrl" in the ` +
      'config file.',
  ];
}

function duplicates(config: Config): string[] {
  const problems: string[] = [];
  for (const field of ['id', 'key'] as const) {
    const seen = new Set<string>();
    config.apps.forEach((app, index) => {
      if (seen.has(app[field])) problems.push(`apps.${index}.${field}: duplicate "${app[field]}"`);
      seen.add(app[field]);
    });
  }
  return problems;
}

export function loadConfig(options: {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: Layer;
}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.PUSHWIRE_CONFIG;
  return resolveConfig(file ? fileLayer(file) : {}, envLayer(env), options.overrides ?? {});
}
