/**
 * Where the browser tests find their Chromium, and what `npm test` does when there is none. No
 * browser is ever downloaded at run time: a machine without one gets Debian's `chromium` package,
 * from the same package registry as Redis and PostgreSQL (test/setup/ensure-chromium.ts).
 */
import { existsSync } from 'node:fs';

/** Debian's Chromium. `PUSHWIRE_CHROMIUM` names another (or hides this one, in a test). */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export const chromiumPath = (env: NodeJS.ProcessEnv = process.env): string =>
  env.PUSHWIRE_CHROMIUM || SYSTEM_CHROMIUM;

export const INSTALL_COMMAND =
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium';

export interface ChromiumMachine {
  /** The Chromium the tests will launch is there. */
  readonly found: boolean;
  /** Root, with apt-get on the PATH: the package can be installed without asking anyone. */
  readonly canInstall: boolean;
  /** The path the tests launch is Debian's, the one the package installs. */
  readonly isSystemPath: boolean;
}

export type ChromiumPlan = 'ready' | 'install' | 'explain';

/** What `npm test` does before the browser tests: nothing, install the package, or say what to do. */
export function planChromium(machine: ChromiumMachine): ChromiumPlan {
  if (machine.found) return 'ready';
  return machine.canInstall && machine.isSystemPath ? 'install' : 'explain';
}

export const chromiumFound = (env: NodeJS.ProcessEnv = process.env): boolean =>
  existsSync(chromiumPath(env));

/** The line both the set-up step and a failing launch print. */
export const missingChromiumMessage = (env: NodeJS.ProcessEnv = process.env): string =>
  env.PUSHWIRE_CHROMIUM
    ? `PUSHWIRE_CHROMIUM=${env.PUSHWIRE_CHROMIUM} does not exist`
    : `${SYSTEM_CHROMIUM} is missing: ${INSTALL_COMMAND} (as root; \`npm test\` does it when it can)`;
