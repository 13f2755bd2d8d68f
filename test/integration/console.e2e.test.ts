/**
 * The live console page in headless Chromium: an operator types the app's secret, the page
 * signs its own feed request, and what real clients do shows up as text, markup included.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer } from '../helpers/server.ts';

const BROWSER_TEST_MS = 30_000;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  disconnectAllPushers();
  await browser?.close();
  await server?.stop();
});

async function openConsole(secret: string): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.httpUrl}/console`);
  await page.fill('input[name=secret]', secret);
  await page.click('button[type=submit]');
  return page;
}

describe('live console page in Chromium', () => {
  it(
    'shows what clients and the API do, as text',
    async () => {
      const page = await openConsole('app-secret');
      await page.waitForFunction(
        () => document.getElementById('status')?.textContent === 'Watching app 1.',
      );
      const pusher = await connectPusher(server.port);
      await subscribeAndWait(pusher, 'news');
      const markup = '<img src=x onerror="document.title=1">';
      await sdkFor({ port: server.port }).trigger('news', 'headline', markup);
      const row = await page.waitForSelector('tr[data-name=api_message]');
      expect(await row.textContent()).toContain('<img src=x onerror=');
      expect(await page.$$('#entries img')).toHaveLength(0);
      expect(
        await page.$$eval('tr[data-name]', (rows) =>
          rows.map((r) => (r as HTMLElement).dataset.name),
        ),
      ).toEqual(expect.arrayContaining(['connected', 'channel_occupied', 'api_message']));
    },
    BROWSER_TEST_MS,
  );

  it(
    'says so when the secret is wrong',
    async () => {
      const page = await openConsole('not-the-secret');
      await page.waitForFunction(() =>
        document
          .getElementById('status')
          ?.textContent?.startsWith('Not watching: the server refused'),
      );
    },
    BROWSER_TEST_MS,
  );
});
