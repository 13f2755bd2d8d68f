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
const SETTINGS = new Set(Object.keys(configSchema.shape));
/** Variables for one field of a nested setting; taken as they are (paths, never JSON). */
const NESTED: Record<string, readonly [setting: string, field: string]> = {
  PUSHWIRE_TLS_CERT_FILE: ['tls', 'certFile'],
  PUSHWIRE_TLS_KEY_FILE: ['tls', 'keyFile'],
};

/**
 * PUSHWIRE_MAX_FRAME_BYTES → maxFrameBytes. Values are parsed as JSON when they can be.
 *
 * Unlike the file, the environment is not ours alone: a Kubernetes Service named `pushwire`
 * injects PUSHWIRE_SERVICE_HOST, PUSHWIRE_PORT_6001_TCP_ADDR… and PUSHWIRE_PORT=tcp://IP:6001
 * into every pod. So a variable that names no setting, and a PUSHWIRE_PORT that is not a
 * number, are reported through `warn` and ignored instead of stopping the server.
 */
function envLayer(env: NodeJS.ProcessEnv, warn: (message: string) => void): Layer {
  const layer: Layer = {};
  const unknown: string[] = [];
  const fields: Array<readonly [setting: string, field: string, raw: string]> = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    if (name === 'PUSHWIRE_CONFIG') continue;
    const nested = NESTED[name];
    if (nested) {
      fields.push([...nested, raw]);
      continue;
    }
    const key = name
      .slice(ENV_PREFIX.length)
      .toLowerCase()
      .replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (!SETTINGS.has(key)) {
      unknown.push(name);
      continue;
    }
    const value = parseScalar(raw);
    if (key === 'port' && !Number.isInteger(value)) {
      // The value is an address Kubernetes made up, not a secret, and says why it was skipped.
      warn(
        `ignoring PUSHWIRE_PORT=${JSON.stringify(raw.slice(0, 100))}: not a port number ` +
          '(Kubernetes sets it to tcp://IP:PORT for a Service named pushwire); use --port or the config file',
      );
      continue;
    }
    if (key === 'metricsPort' && typeof value === 'string' && value.startsWith('tcp://')) {
      // Likewise for a Service named pushwire-metrics.
      warn(
        `ignoring PUSHWIRE_METRICS_PORT=${JSON.stringify(raw.slice(0, 100))}: not a port number ` +
          '(Kubernetes sets it for a Service named pushwire-metrics); use the config file',
      );
      continue;
    }
    layer[key] = value;
  }
  // After the whole setting (PUSHWIRE_TLS='{…}'), whatever order the environment lists them in.
  for (const [setting, field, raw] of fields) {
    const parts = layer[setting];
    layer[setting] = { ...(isJsonObject(parts) ? parts : {}), [field]: raw };
  }
  if (unknown.length) {
    // Names only: the value of a misspelt variable may well be a secret.
    warn(
      `ignoring ${unknown.sort().join(', ')}: no such setting ` +
        '(Kubernetes sets PUSHWIRE_SERVICE_* and PUSHWIRE_PORT_* for a Service named pushwire)',
    );
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
  const at = protoKeyPath(parsed);
  if (at !== undefined) {
    throw new ConfigError([
      `config file ${path}: "__proto__" is not allowed as a key (at ${at || 'the top level'})`,
    ]);
  }
  return parsed;
}

/**
 * Where the first `__proto__` key is, as a dotted path; undefined when there is none. JSON.parse
 * keeps such a key as an ordinary property, but copying it onto a plain object would set that
 * object's prototype and slip settings past the schema's check for unknown keys. Iterative, so
 * any nesting depth is safe.
 */
function protoKeyPath(root: object): string | undefined {
  const pending: [value: object, path: string][] = [[root, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key === '__proto__') return path;
      if (typeof child === 'object' && child !== null) pending.push([child as object, childPath]);
    }
  }
  return undefined;
}

/** Validates and freezes; with no apps and no app store, the embedded default app is served. */
export function resolveConfig(...layers: Layer[]): Config {
  // No prototype to set: a `__proto__` key in a layer is copied as a key, which the schema refuses.
  const merged = Object.assign(Object.create(null) as Layer, ...layers) as Layer;
  // `tls` is built from parts (file, PUSHWIRE_TLS_CERT_FILE, --tls-key): later parts add fields.
  if ('tls' in merged) merged.tls = mergeParts(layers.map((layer) => layer.tls));
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
  const problems = [
    ...duplicates(config),
    ...workersProblem(config),
    ...clusterProblem(config),
    ...metricsProblem(config),
  ];
  if (problems.length) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Objects are merged field by field, later winning; anything else (null) replaces them. */
function mergeParts(parts: unknown[]): unknown {
  let merged: unknown;
  for (const part of parts) {
    if (part === undefined) continue;
    merged = isJsonObject(part) && isJsonObject(merged) ? { ...merged, ...part } : part;
  }
  return merged;
}

/** A metrics port is a second listener: it needs metrics on, and a port of its own. */
function metricsProblem(config: Config): string[] {
  if (config.metricsPort === null) return [];
  if (!config.metrics) return ['metricsPort: set, but metrics is false: nothing would be served'];
  if (config.metricsPort !== 0 && config.metricsPort === config.port) {
    return [`metricsPort: ${config.metricsPort} is also the client port; pick another`];
  }
  return [];
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

/** A cluster's seed nodes only make sense for the `redis` adapter. */
function clusterProblem(config: Config): string[] {
  if (config.redisCluster === null || config.adapter === 'redis') return [];
  return [
    'redisCluster: set, but the adapter is "local": add "adapter": "redis" ' +
      '(PUSHWIRE_ADAPTER=redis) to run on the Redis Cluster.',
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
  /** Told of each environment variable ignored; by default a process warning. */
  warn?: (message: string) => void;
}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.PUSHWIRE_CONFIG;
  const warn = options.warn ?? ((message: string) => process.emitWarning(message));
  return resolveConfig(file ? fileLayer(file) : {}, envLayer(env, warn), options.overrides ?? {});
}
