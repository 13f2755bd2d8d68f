import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadConfig, resolveConfig } from './load.ts';

/** The issues of the ConfigError thrown by `fn`. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const app = (id: string, key: string) => ({ id, key, secret: `${id}-secret` });

describe('resolveConfig', () => {
  it('fills every default when given nothing', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 6001,
      activityTimeoutSeconds: 120,
      pongTimeoutSeconds: 30,
      maxChannelNameLength: 164,
      maxEventNameLength: 200,
      maxFrameBytes: 65_536,
      cacheTtlSeconds: 1_800,
      logLevel: 'info',
      metrics: true,
    });
  });

  it('serves the embedded default app when no app is configured', () => {
    expect(resolveConfig({}).apps).toEqual([
      expect.objectContaining({
        id: '1',
        key: 'app-key',
        secret: 'app-secret',
        enabled: true,
        maxPresenceMembers: 100,
        maxEventPayloadBytes: 10_240,
        maxPresenceUserInfoBytes: 1_024,
        maxClientEventsPerSecond: 10,
      }),
    ]);
  });

  it('gives the default app a numeric id, the only kind the official Python SDK accepts', () => {
    // pusher-http-python validates app_id against \A[0-9]+\Z and refuses `app-id`.
    expect(resolveConfig({}).apps[0]?.id).toMatch(/^[0-9]+$/);
  });

  it('serves only the configured apps when some are given', () => {
    const config = resolveConfig({ apps: [app('a', 'ka')] });
    expect(config.apps.map((a) => a.key)).toEqual(['ka']);
  });

  it('lets later layers win', () => {
    expect(resolveConfig({ port: 1 }, { port: 2 }, {}).port).toBe(2);
  });

  it('freezes the result, apps included', () => {
    const config = resolveConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apps[0])).toBe(true);
  });

  it('rejects an unknown top-level key and names it', () => {
    const issues = issuesOf(() => resolveConfig({ prot: 80 }));
    expect(issues.join('\n')).toContain('prot');
  });

  it('rejects an unknown app key and names the app field', () => {
    const issues = issuesOf(() => resolveConfig({ apps: [{ ...app('a', 'ka'), secrte: 'x' }] }));
    expect(issues.join('\n')).toMatch(/apps\.0/);
    expect(issues.join('\n')).toContain('secrte');
  });

  it('names the field of a value of the wrong type', () => {
    expect(issuesOf(() => resolveConfig({ port: '6001' }))).toEqual([
      expect.stringMatching(/^port: /),
    ]);
  });

  it('names the nested field of an app value of the wrong type', () => {
    const issues = issuesOf(() => resolveConfig({ apps: [{ ...app('a', 'ka'), enabled: 'yes' }] }));
    expect(issues).toEqual([expect.stringMatching(/^apps\.0\.enabled: /)]);
  });

  it('rejects an out-of-range value', () => {
    expect(issuesOf(() => resolveConfig({ port: 70_000 }))).toEqual([
      expect.stringMatching(/^port: /),
    ]);
    expect(issuesOf(() => resolveConfig({ activityTimeoutSeconds: 0 }))).toEqual([
      expect.stringMatching(/^activityTimeoutSeconds: /),
    ]);
  });

  it('rejects an app without a secret', () => {
    const issues = issuesOf(() => resolveConfig({ apps: [{ id: 'a', key: 'ka' }] }));
    expect(issues).toEqual([expect.stringMatching(/^apps\.0\.secret: /)]);
  });

  it('rejects two apps with the same key', () => {
    expect(issuesOf(() => resolveConfig({ apps: [app('a', 'k'), app('b', 'k')] }))).toEqual([
      'apps.1.key: duplicate "k"',
    ]);
  });

  it('rejects two apps with the same id', () => {
    expect(issuesOf(() => resolveConfig({ apps: [app('a', 'k1'), app('a', 'k2')] }))).toEqual([
      'apps.1.id: duplicate "a"',
    ]);
  });

  it('reports every problem at once', () => {
    expect(issuesOf(() => resolveConfig({ port: 'x', host: 5 }))).toHaveLength(2);
  });
  it('serves no app of its own when apps come from PostgreSQL', () => {
    const config = resolveConfig({ appStore: { type: 'postgres', url: 'postgres://db/x' } });
    expect(config.apps).toEqual([]);
    expect(config.appStore).toEqual({
      type: 'postgres',
      url: 'postgres://db/x',
      table: 'pushwire_apps',
      refreshSeconds: 30,
    });
  });

  it('rejects apps in the configuration when they come from PostgreSQL', () => {
    const appStore = { type: 'postgres', url: 'postgres://db/x' };
    expect(issuesOf(() => resolveConfig({ appStore, apps: [app('a', 'k')] }))).toEqual([
      'apps: with appStore "postgres", apps are rows of its table',
    ]);
  });

  it('rejects an app table name that is not a plain identifier', () => {
    const appStore = { type: 'postgres', url: 'postgres://db/x', table: 'apps; DROP TABLE x' };
    expect(issuesOf(() => resolveConfig({ appStore }))).toEqual([
      expect.stringMatching(/^appStore\.table: /),
    ]);
  });

  it('rejects an unknown app store type', () => {
    expect(issuesOf(() => resolveConfig({ appStore: { type: 'mysql' } }))).toEqual([
      expect.stringMatching(/^appStore\.type: /),
    ]);
  });
});

describe('loadConfig', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const writeConfig = (content: string) => {
    dir = mkdtempSync(join(tmpdir(), 'pushwire-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, content);
    return file;
  };

  it('reads PUSHWIRE_* variables as camelCase keys, parsing JSON values', () => {
    const config = loadConfig({
      env: {
        PUSHWIRE_PORT: '7000',
        PUSHWIRE_MAX_FRAME_BYTES: '1024',
        PUSHWIRE_METRICS: 'false',
        PUSHWIRE_HOST: '0.0.0.0',
      },
    });
    expect(config).toMatchObject({
      port: 7000,
      maxFrameBytes: 1024,
      metrics: false,
      host: '0.0.0.0',
    });
  });

  it('reads apps from a JSON variable', () => {
    const config = loadConfig({ env: { PUSHWIRE_APPS: JSON.stringify([app('a', 'ka')]) } });
    expect(config.apps.map((a) => a.id)).toEqual(['a']);
  });

  it('reads the app store from a JSON variable', () => {
    const env = { PUSHWIRE_APP_STORE: '{"type":"postgres","url":"postgres://db/x"}' };
    expect(loadConfig({ env }).appStore).toMatchObject({
      type: 'postgres',
      table: 'pushwire_apps',
    });
  });

  it('ignores variables without the PUSHWIRE_ prefix', () => {
    expect(loadConfig({ env: { PORT: '1', HOME: '/root' } }).port).toBe(6001);
  });

  it('warns about an unknown PUSHWIRE_ variable, naming it but not its value, and goes on', () => {
    const warnings: string[] = [];
    const config = loadConfig({
      env: { PUSHWIRE_PROT: 'hunter2' },
      warn: (message) => warnings.push(message),
    });
    expect(config.port).toBe(6001);
    expect(warnings).toEqual([expect.stringContaining('ignoring PUSHWIRE_PROT: no such setting')]);
    expect(warnings.join('')).not.toContain('hunter2');
  });

  it("starts among a Kubernetes Service's variables, warning once about them", () => {
    // What Kubernetes injects into every pod for a Service named `pushwire` on port 6001.
    const warnings: string[] = [];
    const config = loadConfig({
      env: {
        PUSHWIRE_SERVICE_HOST: '10.96.0.12',
        PUSHWIRE_SERVICE_PORT: '6001',
        PUSHWIRE_PORT: 'tcp://10.96.0.12:6001',
        PUSHWIRE_PORT_6001_TCP: 'tcp://10.96.0.12:6001',
        PUSHWIRE_PORT_6001_TCP_PROTO: 'tcp',
        PUSHWIRE_PORT_6001_TCP_PORT: '6001',
        PUSHWIRE_PORT_6001_TCP_ADDR: '10.96.0.12',
        PUSHWIRE_HOST: '0.0.0.0',
      },
      warn: (message) => warnings.push(message),
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 6001 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      'ignoring PUSHWIRE_PORT="tcp://10.96.0.12:6001": not a port number',
    );
    expect(warnings[1]).toContain(
      'ignoring PUSHWIRE_PORT_6001_TCP, PUSHWIRE_PORT_6001_TCP_ADDR, PUSHWIRE_PORT_6001_TCP_PORT, ' +
        'PUSHWIRE_PORT_6001_TCP_PROTO, PUSHWIRE_SERVICE_HOST, PUSHWIRE_SERVICE_PORT: no such setting',
    );
  });

  it('warns about a PUSHWIRE_PORT that is not a number and keeps the default port', () => {
    const warnings: string[] = [];
    const config = loadConfig({ env: { PUSHWIRE_PORT: 'http' }, warn: (m) => warnings.push(m) });
    expect(config.port).toBe(6001);
    expect(warnings).toEqual([expect.stringContaining('not a port number')]);
  });

  it('still rejects a bad value of a known variable other than the port', () => {
    const issues = issuesOf(() => loadConfig({ env: { PUSHWIRE_MAX_FRAME_BYTES: 'lots' } }));
    expect(issues.join('\n')).toContain('maxFrameBytes');
  });

  it('stays strict about the file: an unknown key there stops the server', () => {
    const file = writeConfig(JSON.stringify({ serviceHost: '10.96.0.12' }));
    expect(issuesOf(() => loadConfig({ file, env: {} })).join('\n')).toContain('serviceHost');
  });

  it('lets the environment override the file and overrides win over both', () => {
    const file = writeConfig(JSON.stringify({ port: 1, host: '10.0.0.1', logLevel: 'warn' }));
    const config = loadConfig({
      file,
      env: { PUSHWIRE_PORT: '2' },
      overrides: { logLevel: 'silent' },
    });
    expect(config).toMatchObject({ port: 2, host: '10.0.0.1', logLevel: 'silent' });
  });

  it('takes the file from PUSHWIRE_CONFIG', () => {
    const file = writeConfig(JSON.stringify({ port: 4321 }));
    expect(loadConfig({ env: { PUSHWIRE_CONFIG: file } }).port).toBe(4321);
  });

  it('reports a file that is not JSON', () => {
    const file = writeConfig('{ port: 1 ');
    expect(issuesOf(() => loadConfig({ file, env: {} }))).toEqual([
      expect.stringContaining('not valid JSON'),
    ]);
  });

  it('reports a file whose top level is not an object', () => {
    const file = writeConfig('[1]');
    expect(issuesOf(() => loadConfig({ file, env: {} }))).toEqual([
      expect.stringContaining('top level must be an object'),
    ]);
    expect(issuesOf(() => loadConfig({ file, env: {} }))[0]).not.toContain('not valid JSON');
  });

  it.each([
    ['at the top level', '{"__proto__": {"port": 5}}', 'the top level'],
    ['in an app', '{"apps": [{"id": "a", "key": "k", "secret": "s", "__proto__": {}}]}', 'apps.0'],
  ])('refuses a __proto__ key %s, naming where it is', (_where, text, at) => {
    const file = writeConfig(text);
    expect(issuesOf(() => loadConfig({ file, env: {} }))).toEqual([
      `config file ${file}: "__proto__" is not allowed as a key (at ${at})`,
    ]);
  });

  it('never takes settings from a __proto__ key of another layer', () => {
    const smuggled = JSON.parse('{"__proto__": {"port": 5}}') as Record<string, unknown>;
    expect(issuesOf(() => resolveConfig(smuggled)).join('\n')).toContain('__proto__');
  });

  it('reports a missing file', () => {
    expect(issuesOf(() => loadConfig({ file: '/nonexistent/pushwire.json', env: {} }))).toEqual([
      expect.stringContaining('/nonexistent/pushwire.json'),
    ]);
  });

  it('refuses a metrics port when metrics are off, or when it is the client port', () => {
    expect(issuesOf(() => resolveConfig({ metricsPort: 9601, metrics: false }))).toEqual([
      'metricsPort: set, but metrics is false: nothing would be served',
    ]);
    expect(issuesOf(() => resolveConfig({ metricsPort: 6001 }))).toEqual([
      'metricsPort: 6001 is also the client port; pick another',
    ]);
    expect(resolveConfig({ metricsPort: 9601 })).toMatchObject({
      metricsPort: 9601,
      metricsHost: null,
    });
  });

  it('ignores the PUSHWIRE_METRICS_PORT of a Kubernetes Service named pushwire-metrics', () => {
    const warnings: string[] = [];
    const env = { PUSHWIRE_METRICS_PORT: 'tcp://10.96.0.13:9601' };
    const config = loadConfig({ env, warn: (message) => warnings.push(message) });
    expect(config.metricsPort).toBeNull();
    expect(warnings).toEqual([expect.stringContaining('ignoring PUSHWIRE_METRICS_PORT')]);
    expect(loadConfig({ env: { PUSHWIRE_METRICS_PORT: '9601' } }).metricsPort).toBe(9601);
  });

  it('refuses a budget for all request bodies smaller than the largest body allowed', () => {
    const overrides = { maxHttpBodyBytes: 2_000_000, maxBufferedHttpBodyBytes: 1_000_000 };
    expect(issuesOf(() => loadConfig({ env: {}, overrides }))).toEqual([
      expect.stringMatching(/^maxBufferedHttpBodyBytes: 1000000 is less than maxHttpBodyBytes/),
    ]);
    expect(loadConfig({ env: {} }).maxBufferedHttpBodyBytes).toBe(64 * 1024 * 1024);
  });

  it('refuses several workers without the Redis adapter, saying how to set it', () => {
    const issues = issuesOf(() => loadConfig({ env: {}, overrides: { workers: 2 } }));
    expect(issues).toEqual([expect.stringContaining('PUSHWIRE_ADAPTER=redis')]);
    expect(loadConfig({ env: {}, overrides: { workers: 2, adapter: 'redis' } }).workers).toBe(2);
  });

  it('takes TLS files from PUSHWIRE_TLS_CERT_FILE and PUSHWIRE_TLS_KEY_FILE, as paths', () => {
    const config = loadConfig({
      env: { PUSHWIRE_TLS_CERT_FILE: '/etc/tls/fullchain.pem', PUSHWIRE_TLS_KEY_FILE: '123' },
    });
    expect(config.tls).toEqual({
      certFile: '/etc/tls/fullchain.pem',
      keyFile: '123',
      reloadIntervalMs: 10_000,
    });
  });

  it('merges TLS fields from the file, the environment and the flags, later winning', () => {
    const file = writeConfig(
      JSON.stringify({ tls: { certFile: 'file.crt', keyFile: 'file.key', reloadIntervalMs: 5 } }),
    );
    const config = loadConfig({
      file,
      env: { PUSHWIRE_TLS_KEY_FILE: 'env.key' },
      overrides: { tls: { certFile: 'flag.crt' } },
    });
    expect(config.tls).toEqual({ certFile: 'flag.crt', keyFile: 'env.key', reloadIntervalMs: 5 });
  });

  it('lets PUSHWIRE_TLS_* fields win over PUSHWIRE_TLS, whichever comes first', () => {
    const env = {
      PUSHWIRE_TLS_KEY_FILE: 'field.key',
      PUSHWIRE_TLS: JSON.stringify({ certFile: 'whole.crt', keyFile: 'whole.key' }),
    };
    expect(loadConfig({ env }).tls).toMatchObject({ certFile: 'whole.crt', keyFile: 'field.key' });
  });

  it('names the missing half of a TLS pair', () => {
    const issues = issuesOf(() => loadConfig({ env: { PUSHWIRE_TLS_CERT_FILE: 'a.crt' } }));
    expect(issues).toEqual([expect.stringMatching(/^tls\.keyFile: /)]);
  });

  it('serves plain ws and http without TLS settings', () => {
    expect(loadConfig({ env: {} }).tls).toBeNull();
  });
});
