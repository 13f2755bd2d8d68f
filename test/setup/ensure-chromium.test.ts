/**
 * `npm test` on a machine without Chromium (issue #12): the set-up step installs Debian's package
 * when it can, and otherwise stops with the command to run, before the browser tests fail on it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingChromiumMessage, planChromium } from '../helpers/chromium-path.ts';

const SCRIPT = fileURLToPath(new URL('./ensure-chromium.ts', import.meta.url));

async function ensure(env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', SCRIPT],
      { env: { ...process.env, ...env } },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('the Chromium set-up step', () => {
  it('installs the package only when it is missing and root can run apt-get for its path', () => {
    const plan = (found: boolean, canInstall: boolean, isSystemPath = true) =>
      planChromium({ found, canInstall, isSystemPath });
    expect(plan(true, false)).toBe('ready');
    expect(plan(true, true)).toBe('ready');
    expect(plan(false, true)).toBe('install');
    expect(plan(false, false)).toBe('explain');
    // The package installs /usr/bin/chromium, so it cannot supply a PUSHWIRE_CHROMIUM elsewhere.
    expect(plan(false, true, false)).toBe('explain');
  });

  it('says what to run when there is no Chromium it can install', () => {
    expect(missingChromiumMessage({})).toMatch(/^\/usr\/bin\/chromium is missing: apt-get update/);
  });

  it('exits 1 naming the missing browser, without installing anything', async () => {
    const { code, output } = await ensure({ PUSHWIRE_CHROMIUM: '/nonexistent/chromium' });
    expect(code).toBe(1);
    expect(output).toContain('PUSHWIRE_CHROMIUM=/nonexistent/chromium does not exist');
  });

  it('does nothing when the browser is there', async () => {
    const { code, output } = await ensure({ PUSHWIRE_CHROMIUM: process.execPath });
    expect({ code, output }).toEqual({ code: 0, output: '' });
  });
});
