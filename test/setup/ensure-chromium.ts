/**
 * `npm test`'s first step (the `pretest` script): makes sure the Chromium that the browser tests
 * launch is there. On a machine without it, as root with apt-get, it installs Debian's package;
 * otherwise it says what to run and exits 1 before the long test run starts.
 */
import { spawnSync } from 'node:child_process';
import {
  chromiumFound,
  chromiumPath,
  INSTALL_COMMAND,
  missingChromiumMessage,
  planChromium,
  SYSTEM_CHROMIUM,
} from '../helpers/chromium-path.ts';

const sh = (script: string, stdio: 'ignore' | 'inherit') =>
  spawnSync('sh', ['-c', script], { stdio }).status;

const plan = planChromium({
  found: chromiumFound(),
  canInstall: process.getuid?.() === 0 && sh('command -v apt-get', 'ignore') === 0,
  isSystemPath: chromiumPath() === SYSTEM_CHROMIUM,
});

if (plan === 'install') {
  console.log(
    `${SYSTEM_CHROMIUM} is missing; installing it for the browser tests: ${INSTALL_COMMAND}`,
  );
  // The lock timeout waits out another apt-get (an unattended upgrade) instead of failing.
  const apt = 'apt-get -qq -o DPkg::Lock::Timeout=300';
  const status = sh(
    `${apt} update && DEBIAN_FRONTEND=noninteractive ${apt} install -y chromium`,
    'inherit',
  );
  if (status !== 0 || !chromiumFound()) {
    console.error(`installing Chromium failed (exit ${status}): ${missingChromiumMessage()}`);
    process.exit(1);
  }
} else if (plan === 'explain') {
  console.error(missingChromiumMessage());
  process.exit(1);
}
