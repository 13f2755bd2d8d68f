/**
 * The live console page in headless Chromium, used as an operator would: type the app's secret,
 * read the summary and the tail, filter, pause, send a test event. The page signs its own
 * requests; what real clients do shows up as text, markup included. Screenshots at a laptop's
 * and a phone's size are saved under test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const BROWSER_TEST_MS = 30_000;
const ARTIFACTS = 'test-artifacts';
let server: RunningServer;
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  disconnectAllPushers();
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openConsole(secret: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  pages.push(page);
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.httpUrl}/console`);
  await page.getByLabel('Secret').fill(secret);
  await page.getByRole('button', { name: 'Watch' }).click();
  return page;
}

async function watching(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'Watching app 1.',
  );
}

/** The tail's visible rows, as [what, channel] pairs. */
const visibleRows = (page: Page) =>
  page.$$eval('#entries tr[data-name]:not([hidden])', (rows) =>
    rows.map((row) => ({
      name: (row as HTMLElement).dataset.name,
      channel: row.children[2]?.textContent,
    })),
  );

const rowCount = async (page: Page, name: string, channel: string) =>
  (await visibleRows(page)).filter((row) => row.name === name && row.channel === channel).length;

/** A public channel with one reader, and a presence channel with two members. */
async function occupy() {
  const reader = await connectPusher(server.port);
  await subscribeAndWait(reader, 'news');
  for (const [user_id, name] of [
    ['ada', 'Ada Lovelace'],
    ['bob', 'Bob Kahn'],
  ] as const) {
    const member = await connectPusher(server.port, {
      presence: { user_id, user_info: { name } },
    });
    await subscribeAndWait(member, 'presence-room');
  }
  return reader;
}

describe('live console page in Chromium', () => {
  it(
    'shows what clients and the API do, as text',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      const pusher = await connectPusher(server.port);
      await subscribeAndWait(pusher, 'news');
      const markup = '<img src=x onerror="document.title=1">';
      await sdkFor({ port: server.port }).trigger('news', 'headline', markup);
      const row = await page.waitForSelector('tr[data-name=api_message]');
      expect(await row.textContent()).toContain('<img src=x onerror=');
      expect(await page.$$('#entries img')).toHaveLength(0);
      expect((await visibleRows(page)).map((r) => r.name)).toEqual(
        expect.arrayContaining(['connected', 'subscribed', 'channel_occupied', 'api_message']),
      );
    },
    BROWSER_TEST_MS,
  );

  it(
    'shows API data that is JSON as JSON, not as an escaped string',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      await sdkFor({ port: server.port }).trigger('news', 'score', { home: 2, away: 1 });
      const row = await page.waitForSelector('tr[data-name=api_message]');
      expect(await row.$eval('td.details', (cell) => cell.textContent)).toBe(
        'score  {"home":2,"away":1}',
      );
    },
    BROWSER_TEST_MS,
  );

  it(
    'sums up the occupied channels with their counts and presence members, user_info on demand',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      await occupy();
      const room = page.locator('#channels li[data-channel="presence-room"]');
      await room.getByText('2 subscribers · 2 members').waitFor();
      await page
        .locator('#channels li[data-channel="news"]')
        .getByText('1 subscriber', { exact: true })
        .waitFor();
      expect(await room.getByRole('button').allTextContents()).toEqual(['ada', 'bob']);
      await page.locator('#connections', { hasText: '3' }).waitFor();
      await room.getByRole('button', { name: 'bob' }).click();
      await room.locator('pre.user-info', { hasText: 'Bob Kahn' }).waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'narrows the rows to one channel with the filter',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      const sdk = sdkFor({ port: server.port });
      await sdk.trigger('alpha', 'ping', {});
      await sdk.trigger('beta', 'ping', {});
      await page.waitForSelector('tr[data-name=api_message] >> text=beta');
      await page.getByLabel('Filter').fill('alpha');
      await sdk.trigger('beta', 'later', {});
      await sdk.trigger('alpha', 'later', {});
      await waitUntil(async () => (await rowCount(page, 'api_message', 'alpha')) === 2, 'alpha');
      expect(new Set((await visibleRows(page)).map((row) => row.channel))).toEqual(
        new Set(['alpha']),
      );
      await page.getByLabel('Filter').fill('');
      expect(await rowCount(page, 'api_message', 'beta')).toBe(2);
    },
    BROWSER_TEST_MS,
  );

  it(
    'freezes the rows while paused, and shows what came meanwhile on resume',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      const sdk = sdkFor({ port: server.port });
      await sdk.trigger('paused', 'before', {});
      await page.waitForSelector('tr[data-name=api_message] >> text=paused');
      const pause = page.getByRole('button', { name: 'Pause' });
      await pause.click();
      expect(await pause.getAttribute('aria-pressed')).toBe('true');
      await sdk.trigger('paused', 'during', {});
      await sdk.trigger('paused', 'during', {});
      await page.locator('#tail-note', { hasText: 'Paused: 2 new events waiting' }).waitFor();
      expect(await rowCount(page, 'api_message', 'paused')).toBe(1);
      await pause.click();
      await waitUntil(async () => (await rowCount(page, 'api_message', 'paused')) === 3, 'resume');
      await page.getByRole('button', { name: 'Clear' }).click();
      expect(await visibleRows(page)).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    "sends the form's test event through the signed HTTP API to a pusher-js subscriber",
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      const pusher = await connectPusher(server.port);
      const channel = await subscribeAndWait(pusher, 'orders');
      const received = new Promise((resolve) => channel.bind('shipped', resolve));
      await page.getByLabel('Channel', { exact: true }).fill('orders');
      await page.getByLabel('Event', { exact: true }).fill('shipped');
      await page.getByLabel('Data', { exact: true }).fill('{"id":42,"note":"é"}');
      await page.getByRole('button', { name: 'Send event' }).click();
      expect(await received).toEqual({ id: 42, note: 'é' });
      await page.locator('#send-result', { hasText: 'Sent shipped to orders.' }).waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'says once that the secret is wrong, and backs off between retries',
    async () => {
      const page = await openConsole('not-the-secret');
      const text = () => page.locator('#status').textContent();
      await page.locator('#status', { hasText: 'Trying again in 2 s.' }).waitFor();
      expect(await text()).toMatch(
        /^Not watching: the server refused the app id, key or secret \(Invalid signature/,
      );
      await page.locator('#status', { hasText: 'Trying again in 4 s.' }).waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'reads well at 1280×800 and at 390×844 (screenshots in test-artifacts/)',
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      for (const [width, height] of [
        [1280, 800],
        [390, 844],
      ] as const) {
        const page = await openConsole('app-secret', { width, height });
        await watching(page);
        const reader = await occupy();
        reader.subscribe('private-vault');
        const forger = await connectPusher(server.port, {
          authorizeChannel: () => ({ auth: `app-key:${'0'.repeat(64)}` }),
        });
        forger.subscribe('private-payroll');
        const sdk = sdkFor({ port: server.port });
        await sdk.trigger('news', 'headline', { title: 'Console ships', words: 1200 });
        await page.waitForSelector('tr[data-name=api_message]');
        await page.locator('#channels li[data-channel="presence-room"] button >> text=ada').click();
        await page.locator('pre.user-info').waitFor();
        // Nothing wider than the viewport: no sideways scrolling.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          width,
        );
        await page.screenshot({ path: `${ARTIFACTS}/console-${width}x${height}.png` });
        await page.screenshot({ path: `${ARTIFACTS}/console-${width}-full.png`, fullPage: true });
        disconnectAllPushers();
      }
    },
    BROWSER_TEST_MS,
  );
});
