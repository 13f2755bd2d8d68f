/**
 * The two npm packages as a user gets them (issue #12): `npm pack` of what `npm run build` made
 * (`npm ci` runs it), each tarball installed into an empty folder with plain npm, then used from
 * there with plain Node: no workspace links, no tsx, nothing of this checkout's node_modules.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VECTORS = join(ROOT, 'test/fixtures/vectors.json');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
/** npm installs from the registry (the packages' own dependencies) on a loaded CI machine. */
const INSTALL_MS = 240_000;

const run = promisify(execFile);
const npm = (cwd: string, ...args: string[]) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });

interface Packed {
  filename: string;
  files: { path: string }[];
}

let dir = '';
let sdkTarball = '';
let serverTarball = '';
let sdkFiles: string[] = [];
let serverFiles: string[] = [];

async function pack(...workspace: string[]): Promise<Packed> {
  const { stdout } = await npm(
    ROOT,
    'pack',
    '--ignore-scripts',
    '--json',
    ...workspace,
    '--pack-destination',
    dir,
  );
  return (JSON.parse(stdout) as Packed[])[0]!;
}

/** An empty folder with a package.json of its own, and the tarballs installed into it. */
async function installInto(name: string, ...tarballs: string[]): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module' }),
  );
  await npm(folder, 'install', ...tarballs);
  return folder;
}

/** Installed packages, as npm recorded them (nested copies included). */
const installed = (folder: string): string[] =>
  Object.keys(
    (
      JSON.parse(readFileSync(join(folder, 'node_modules/.package-lock.json'), 'utf8')) as {
        packages: Record<string, unknown>;
      }
    ).packages,
  ).map((path) => path.replace(/^.*node_modules\//, ''));

/**
 * `tsc --noEmit` over a file that uses the packages, in the given resolution mode. skipLibCheck
 * as most projects have it: an import that does not resolve still fails, in check.ts.
 */
async function typecheck(folder: string, code: string, options: string[]) {
  writeFileSync(join(folder, 'check.ts'), code);
  return run(
    process.execPath,
    [TSC, '--noEmit', '--strict', '--skipLibCheck', ...options, 'check.ts'],
    {
      cwd: folder,
    },
  ).then(
    () => '',
    (error: { stdout: string }) => error.stdout,
  );
}

beforeAll(async () => {
  for (const built of ['dist/cli/bin.js', 'packages/sdk/dist/index.js']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run npm run build`);
  }
  dir = mkdtempSync(join(tmpdir(), 'pushwire-packages-'));
  const sdk = await pack('--workspace', '@pushwire/sdk');
  const server = await pack();
  sdkTarball = join(dir, sdk.filename);
  serverTarball = join(dir, server.filename);
  sdkFiles = sdk.files.map((file) => file.path);
  serverFiles = server.files.map((file) => file.path);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('ship the licence, a readme and built code, and no source maps, tests or sources', () => {
    for (const files of [sdkFiles, serverFiles]) {
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(
        files.filter((path) => /\.map$|\.test\.|(^|\/)src\/|\.ts$(?<!\.d\.ts)/.test(path)),
      ).toEqual([]);
    }
    expect(sdkFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
    expect(serverFiles).toEqual(
      expect.arrayContaining(['bin/pushwire.js', 'dist/cli/bin.js', 'dist/sdk/index.js']),
    );
    // The SDK ships once, in its own package.
    expect(serverFiles.filter((path) => path.startsWith('dist/sdk/'))).toEqual([
      'dist/sdk/index.d.ts',
      'dist/sdk/index.js',
    ]);
  });
});

describe('@pushwire/sdk installed alone', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await installInto('sdk-app', sdkTarball);
    copyFileSync(new URL('./sdk-vectors.mjs', import.meta.url), join(folder, 'sdk-vectors.mjs'));
  }, INSTALL_MS);

  it('brings only the two @noble packages with it', () => {
    expect(installed(folder).sort()).toEqual(['@noble/ciphers', '@noble/hashes', '@pushwire/sdk']);
  });

  it('reproduces the official SDK vectors from there', async () => {
    const { stdout } = await run(process.execPath, ['sdk-vectors.mjs', VECTORS], { cwd: folder });
    const result = JSON.parse(stdout) as { checked: number; failures: unknown[] };
    expect(result.failures).toEqual([]);
    expect(result.checked).toBeGreaterThan(90);
  });

  it('type-checks in TypeScript with node16, bundler and node10 resolution', async () => {
    const code = `import { Pushwire, type ChannelAuthResponse } from '@pushwire/sdk';
const sdk = new Pushwire({ appId: '1', key: 'k', secret: 's' });
export const body: ChannelAuthResponse = sdk.authorizeChannel('1.1', 'private-a');\n`;
    for (const options of [
      ['--module', 'node16', '--moduleResolution', 'node16'],
      ['--module', 'esnext', '--moduleResolution', 'bundler'],
      ['--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0'],
    ]) {
      expect(await typecheck(folder, code, options), options.join(' ')).toBe('');
    }
  }, 60_000);
});

describe('pushwire installed from its tarball', () => {
  let folder = '';
  beforeAll(async () => {
    // @pushwire/sdk comes from its own tarball, as the registry would give it.
    folder = await installInto('server-app', serverTarball, sdkTarball);
  }, INSTALL_MS);

  it('has no TypeScript runner or bundler among its dependencies', () => {
    const packages = installed(folder);
    expect(packages).toEqual(expect.arrayContaining(['pushwire', '@pushwire/sdk', 'ws']));
    expect(packages.filter((name) => /^(tsx|esbuild|@esbuild\/|typescript$)/.test(name))).toEqual(
      [],
    );
  });

  it('prints its version with npx pushwire --version', async () => {
    const { stdout } = await run('npx', ['--no-install', 'pushwire', '--version'], { cwd: folder });
    expect(stdout.trim()).toBe(VERSION);
  });

  it('serves with npx pushwire start', async () => {
    const child = spawn('npx', ['--no-install', 'pushwire', 'start', '--port', '0'], {
      cwd: folder,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const port = await waitUntil(
        () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1],
        'the listening line',
        30_000,
      );
      const response = await fetch(`http://127.0.0.1:${port}/up`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true });
    } finally {
      // npx runs the server as its child: end the whole group.
      process.kill(-child.pid!, 'SIGTERM');
    }
    // 'close', not 'exit': npm may exit before the server has written its last lines, and the
    // pipes it shares with the server stay open until the server is gone.
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('close', (...exit) => resolve(exit)),
    );
    // The server drains and exits 0; npm, its parent, may end by the signal itself.
    expect(code === 0 || signal === 'SIGTERM', output).toBe(true);
    expect(output).toContain('shutting down');
  }, 60_000);

  it('keeps pushwire/sdk and pushwire for TypeScript with node16 and node10 resolution', async () => {
    const code = `import { Pushwire } from 'pushwire/sdk';
import { resolveConfig } from 'pushwire';
export const sdk = new Pushwire({ appId: '1', key: 'k', secret: 's' });
export const config = resolveConfig({ port: 0 });\n`;
    for (const options of [
      ['--module', 'node16', '--moduleResolution', 'node16'],
      ['--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0'],
    ]) {
      expect(await typecheck(folder, code, options), options.join(' ')).toBe('');
    }
  }, 60_000);
});
