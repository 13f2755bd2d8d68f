/**
 * The tools as a user runs them: a separate `pushwire` process (the CLI entry, run from source as
 * test/integration/cli.test.ts does), whose exit codes reach the shell.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBrokenEndpoints } from './broken-endpoints.ts';

const ENTRY = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

let endpoints: Awaited<ReturnType<typeof startBrokenEndpoints>>;
beforeAll(async () => {
  endpoints = await startBrokenEndpoints();
});
afterAll(() => endpoints.close());

function pushwire(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, ...args],
      { timeout: 15_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const target = (path: string) => [
  ...['--url', `${endpoints.base}/${path}`, '--key', 'app-key', '--secret', 'shop-secret'],
];

it('exits 0 when the SDK handler passes', async () => {
  const { code, stdout } = await pushwire('check-auth', ...target('sdk/auth'));
  expect(stdout).toContain('All 17 checks pass.');
  expect(code).toBe(0);
});

it('exits 1 with ✗ and the cause when a check fails', async () => {
  const { code, stdout } = await pushwire(
    'check-auth',
    ...target('html'),
    ...['--channel', 'private-a'],
  );
  expect(code).toBe(1);
  expect(stdout).toContain('✗ content type: text/html instead of application/json');
});

it('exits 2 on bad usage', async () => {
  const { code, stderr } = await pushwire('check-auth', '--url', 'ftp://x');
  expect(code).toBe(2);
  expect(stderr).toContain('Usage: pushwire check-auth');
});

it('exits 2 when the server of trigger cannot be reached', async () => {
  const { code } = await pushwire(
    ...['trigger', '--channel', 'c', '--event', 'e'],
    ...['--url', 'pushwire://k:s@127.0.0.1:1/apps/1'],
  );
  expect(code).toBe(2);
});
