/**
 * `pushwire start` as a user runs it: a separate process, configured by flags, file and
 * environment, printing how to connect, and shutting down cleanly on a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  POSTGRES_URL,
  dropTestTables,
  postgresGate,
  sql,
  uniqueTable,
} from '../helpers/postgres.ts';
import { selfSignedCertificate } from '../helpers/certificates.ts';
import { loadConfig } from '../../src/config/load.ts';
import { readDockerfile } from '../helpers/dockerfile.ts';
import { createPusher, disconnectAllPushers, type PusherClient } from '../helpers/pusher-client.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { waitUntil, withTimeout } from '../helpers/wait.ts';

const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const postgres = await postgresGate('pushwire start with a PostgreSQL app store');
afterAll(async () => {
  if (postgres) await dropTestTables();
});

interface Cli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const running: Cli[] = [];

afterEach(() => {
  disconnectAllPushers();
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
});

function runCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, PUSHWIRE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk.toString()));
  child.stderr.on('data', (chunk) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const cli = { child, output: () => output, exited };
  running.push(cli);
  return cli;
}

async function startCli(args: string[], env: Record<string, string> = {}) {
  const cli = runCli(['start', '--port', '0', ...args], env);
  const port = await waitUntil(
    () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(cli.output())?.[1],
    'the CLI to print its address',
    15_000,
  );
  return { ...cli, port: Number(port) };
}

const connect = (port: number, userId: string): PusherClient =>
  createPusher(port, { presence: { user_id: userId, user_info: { name: userId } } });

describe('pushwire start', () => {
  it('prints the WebSocket URL, the credentials and a pusher-js snippet', async () => {
    const cli = await startCli([]);
    expect(cli.output()).toContain(`ws://127.0.0.1:${cli.port}/app/app-key?protocol=7`);
    expect(cli.output()).toContain('id=1  key=app-key  secret=app-secret');
    expect(cli.output()).toContain("new Pusher('app-key'");
    expect(cli.output()).toContain(`Console:    http://127.0.0.1:${cli.port}/console`);
  });

  it('lets a pusher-js client in another process see a second presence member join and leave', async () => {
    const cli = await startCli([]);
    const watcher = connect(cli.port, 'alice');
    const room = watcher.subscribe('presence-room') as PresenceChannel;
    const joined: string[] = [];
    const left: string[] = [];
    room.bind('pusher:member_added', (member: { id: string }) => joined.push(member.id));
    room.bind('pusher:member_removed', (member: { id: string }) => left.push(member.id));
    await withTimeout(
      new Promise((resolve) => room.bind('pusher:subscription_succeeded', resolve)),
      'alice joins',
    );
    const visitor = connect(cli.port, 'bob');
    visitor.subscribe('presence-room');
    await waitUntil(() => joined.includes('bob'), 'bob to join');
    expect(room.members.count).toBe(2);
    visitor.disconnect();
    await waitUntil(() => left.includes('bob'), 'bob to leave');
    expect(room.members.count).toBe(1);
  });

  it('exits 0 within 5 s of SIGTERM after telling clients to reconnect with 4200', async () => {
    const cli = await startCli([]);
    const client = connect(cli.port, 'carol');
    await waitUntil(() => client.connection.state === 'connected', 'the client to connect');
    const errors: unknown[] = [];
    client.connection.bind('error', (error: unknown) => errors.push(error));
    const started = Date.now();
    cli.child.kill('SIGTERM');
    const code = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errors).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ code: 4200 }) }),
    );
  });

  it('exits 0 on SIGINT too', async () => {
    const cli = await startCli([]);
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    expect(code, cli.output()).toBe(0);
  });

  it('serves the apps of a JSON config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushwire-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ apps: [{ id: 'file-app', key: 'file-key', secret: 'file-secret' }] }),
    );
    const cli = await startCli(['--config', file]);
    expect(cli.output()).toContain('id=file-app  key=file-key  secret=<your secret>');
    expect(cli.output()).not.toContain('file-secret');
  });

  it('takes settings from PUSHWIRE_* environment variables', async () => {
    const cli = await startCli([], {
      PUSHWIRE_APPS: JSON.stringify([{ id: 'env-app', key: 'env-key', secret: 'env-secret' }]),
    });
    expect(cli.output()).toContain('key=env-key');
  });

  it('exits non-zero naming the field of a bad configuration', async () => {
    const cli = runCli(['start', '--port', 'not-a-number']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/port: .*number/i);
  });

  it('exits non-zero naming an unknown key of the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushwire-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ apps: [{ id: 'a', key: 'k', secret: 's', colour: 'red' }] }),
    );
    const cli = runCli(['start', '--config', file]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/apps\.0.*colour/);
  });

  it('exits non-zero naming the reason when the port is taken', async () => {
    const first = await startCli([]);
    const second = runCli(['start', '--port', String(first.port)]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Could not start: .*EADDRINUSE/);
  });

  it.skipIf(!postgres)(
    'serves the apps of a PostgreSQL table, printing neither their secrets nor the password',
    async () => {
      const table = uniqueTable();
      const url = POSTGRES_URL.replace('postgres@', 'postgres:hunter2@');
      const cli = await startCli([], {
        PUSHWIRE_APP_STORE: JSON.stringify({ type: 'postgres', url, table }),
      });
      expect(cli.output()).toContain(`Apps:       0 from PostgreSQL table "${table}"`);
      await sql(`INSERT INTO ${table} (id, key, secret) VALUES ('db', 'db-key', 'db-secret')`);
      const pusher = createPusher(cli.port, { key: 'db-key' });
      await waitUntil(() => pusher.connection.state === 'connected', 'a connection');
      expect(cli.output()).not.toMatch(/hunter2|db-secret/);
    },
  );

  it('exits non-zero naming the table when PostgreSQL does not answer', async () => {
    const appStore = { type: 'postgres', url: 'postgres://postgres@127.0.0.1:1/postgres' };
    const cli = runCli(['start', '--port', '0'], { PUSHWIRE_APP_STORE: JSON.stringify(appStore) });
    expect(await withTimeout(cli.exited, 'the exit', 15_000)).toBe(1);
    expect(cli.output()).toMatch(/cannot load apps from table "pushwire_apps"/);
  });

  it("starts among a Kubernetes Service's variables, with a warning instead of an exit", async () => {
    const cli = await startCli([], {
      PUSHWIRE_SERVICE_HOST: '10.96.0.12',
      PUSHWIRE_PORT: 'tcp://10.96.0.12:6001',
      PUSHWIRE_PORT_6001_TCP_ADDR: '10.96.0.12',
    });
    const pusher = createPusher(cli.port, {});
    await waitUntil(() => pusher.connection.state === 'connected', 'a connection');
    expect(cli.output()).toContain('ignoring PUSHWIRE_PORT=');
    expect(cli.output()).toContain('ignoring PUSHWIRE_PORT_6001_TCP_ADDR, PUSHWIRE_SERVICE_HOST');
  });

  it('serves wss with --tls-cert and --tls-key, and prints a forceTLS snippet', async () => {
    const certificate = selfSignedCertificate('pushwire-cli');
    const cli = runCli(['start', '--port', '0', '--tls-cert', certificate.certFile], {
      PUSHWIRE_TLS_KEY_FILE: certificate.keyFile,
    });
    const port = await waitUntil(
      () => /listening on wss:\/\/127\.0\.0\.1:(\d+)\n/.exec(cli.output())?.[1],
      'the CLI to print its wss address',
      15_000,
    );
    expect(cli.output()).toContain(`wssPort: ${port},`);
    expect(cli.output()).toContain('forceTLS: true');
    expect(cli.output()).toContain('useTLS: true');
    expect(cli.output()).toContain(`https://127.0.0.1:${port}/apps/1/events`);
  });

  it('prints the package version with --version and exits 0', async () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const cli = runCli(['--version']);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toBe(`${manifest.version}\n`);
  });

  it('prints every command with --help and exits 0', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    for (const command of ['start', 'check-auth', 'trigger', 'channels', 'users', 'help']) {
      expect(cli.output()).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('exits non-zero for an unknown command', async () => {
    const cli = runCli(['launch']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('Unknown command "launch"');
  });
});

describe("the Dockerfile's start command", () => {
  const image = readDockerfile(new URL('../../Dockerfile', import.meta.url));

  it('is multi-stage, runs as a user other than root and listens on 0.0.0.0 on port 6001', () => {
    expect(image.stages).toBeGreaterThanOrEqual(2);
    expect(image.user).toBeDefined();
    expect(['root', '0']).not.toContain(image.user);
    expect(image.env.PUSHWIRE_HOST).toBe('0.0.0.0');
    expect(image.exposed).toEqual(['6001']);
  });

  it("runs the CLI entry these tests run, through the package's bin", () => {
    // bin/pushwire.js is the package's `bin`; it loads the build of src/cli/bin.ts (ENTRY).
    expect(image.entrypoint).toEqual(['node', 'bin/pushwire.js']);
    const bin = readFileSync(new URL('../../bin/pushwire.js', import.meta.url), 'utf8');
    expect(bin).toMatch(/import '\.\.\/dist\/cli\/bin\.js'/);
    expect(ENTRY.endsWith('src/cli/bin.ts')).toBe(true);
  });

  it('serves with its command and environment, and its HEALTHCHECK passes on /ready', async () => {
    const cli = runCli(image.cmd, { ...image.env, PUSHWIRE_PORT: '0' });
    const port = await waitUntil(
      () => /listening on ws:\/\/0\.0\.0\.0:(\d+)\n/.exec(cli.output())?.[1],
      'the container command to serve',
      15_000,
    );
    // The default app on 0.0.0.0: the image's own default warns until apps are configured.
    expect(cli.output()).toContain('WARNING: the default app');
    const [command = '', ...args] = image.healthcheck;
    expect(command).toBe('node');
    const health = spawn(process.execPath, args, { env: { ...process.env, PUSHWIRE_PORT: port } });
    expect(await new Promise((resolve) => health.once('exit', resolve))).toBe(0);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('has a HEALTHCHECK that speaks https when TLS is set by the environment', async () => {
    const certificate = selfSignedCertificate('pushwire-docker');
    const tls = {
      PUSHWIRE_TLS_CERT_FILE: certificate.certFile,
      PUSHWIRE_TLS_KEY_FILE: certificate.keyFile,
    };
    const cli = runCli(image.cmd, { ...image.env, ...tls, PUSHWIRE_PORT: '0' });
    const port = await waitUntil(
      () => /listening on wss:\/\/0\.0\.0\.0:(\d+)\n/.exec(cli.output())?.[1],
      'the container command to serve TLS',
      15_000,
    );
    const [, ...args] = image.healthcheck;
    const health = spawn(process.execPath, args, {
      env: { ...process.env, ...tls, PUSHWIRE_PORT: port },
    });
    expect(await new Promise((resolve) => health.once('exit', resolve))).toBe(0);
  });

  it('has a HEALTHCHECK that fails when nothing serves', async () => {
    const [, ...args] = image.healthcheck;
    const health = spawn(process.execPath, args, { env: { ...process.env, PUSHWIRE_PORT: '1' } });
    expect(await new Promise((resolve) => health.once('exit', resolve))).toBe(1);
  });
});

describe('compose.yaml', () => {
  it('configures Pushwire through settings that exist, with Redis and an app of its own', () => {
    const text = readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      [...text.matchAll(/^\s+(PUSHWIRE_\w+): (.+)$/gm)].map(([, name, value]) => [
        name!,
        value!.replace(/^'(.*)'$/, '$1'),
      ]),
    );
    const warnings: string[] = [];
    const config = loadConfig({ env, warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ adapter: 'redis', redisUrl: 'redis://redis:6379' });
    expect(config.apps.map((app) => app.secret)).not.toContain('app-secret');
    expect(text).toMatch(/image: redis:/);
  });
});
