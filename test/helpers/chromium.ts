/**
 * Debian's Chromium, driven by playwright-core: no browser is ever downloaded (`npm test` installs
 * the package when it is missing, see chromium-path.ts). Launched headless with the flags this
 * machine needs (no sandbox as root, no background networking).
 */
import { chromium, type Browser } from 'playwright-core';
import { chromiumFound, chromiumPath, missingChromiumMessage } from './chromium-path.ts';

const FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!chromiumFound()) throw new Error(missingChromiumMessage());
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: FLAGS });
}
