/**
 * Runs the Jest example (jest/) as an app would: Jest in its own process, ESM test files that
 * import `pushwire/testing` from the built package (dist/, made by `npm run build`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('passes the Jest example against the built pushwire/testing', async () => {
  expect(
    existsSync(`${root}/dist/testing/index.js`),
    'dist/testing is missing: run npm run build first',
  ).toBe(true);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        '--rootDir',
        'examples/testing/jest',
        '--ci',
      ],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number | null) : 0, output: stdout + stderr }),
    );
  });
  expect(result.output).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(result.code, result.output).toBe(0);
}, 60_000);
