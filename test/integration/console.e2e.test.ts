/**
 * The live console page in headless Chromium, used as an operator would: type the app's secret,
 * read the summary and the tail, filter, pause, send a test event. The page signs its own
 * requests; what real clients do shows up as text, markup included. Screenshots at a laptop's
 * and a phone's size are saved under test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
const receivers: Server[] = [];
/** Servers a test started besides the shared one. */
const hooked: RunningServer[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  disconnectAllPushers();
  await Promise.all(pages.splice(0).map((page) => page.close()));
  await Promise.all(hooked.splice(0).map((extra) => extra.stop()));
  for (const receiver of receivers.splice(0)) receiver.close();
});

/** A webhook receiver that answers 503 to a body `failing` picks, and keeps the others. */
async function webhookReceiver(failing: (body: string) => boolean) {
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const fails = failing(body);
      if (!fails) received.push(body);
      res.writeHead(fails ? 503 : 200).end();
    });
  });
  receivers.push(receiver);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, received };
}

/** A server whose default app posts webhooks to `url`, retried briefly. */
async function hookedServer(url: string): Promise<RunningServer> {
  const started = await startTestServer({
    apps: [{ id: '1', key: 'app-key', secret: 'app-secret', webhooks: [{ url }] }],
    webhookFirstRetryMs: 100,
    webhookRetryForMs: 2_000,
  });
  hooked.push(started);
  return started;
}

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openConsole(
  secret: string,
  viewport = { width: 1280, height: 800 },
  target: RunningServer = server,
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  pages.push(page);
  page.setDefaultTimeout(10_000);
  await page.goto(`${target.httpUrl}/console`);
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
async function occupy(port = server.port) {
  const reader = await connectPusher(port);
  await subscribeAndWait(reader, 'news');
  for (const [user_id, name] of [
    ['ada', 'Ada Lovelace'],
    ['bob', 'Bob Kahn'],
  ] as const) {
    const member = await connectPusher(port, {
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
      // Others' rows may be waiting too: at least the two sent here.
      await waitUntil(async () => {
        const note = (await page.locator('#tail-note').textContent()) ?? '';
        return Number(/Paused: (\d+) new/.exec(note)?.[1] ?? 0) >= 2;
      }, 'two waiting rows');
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
    'keeps at most 500 rows through thousands of events a second, and says the server skipped some',
    async () => {
      const page = await openConsole('app-secret');
      await watching(page);
      const sdk = sdkFor({ port: server.port });
      const batch = Array.from({ length: 10 }, (_, i) => ({
        channel: `flood-${i}`,
        name: 'tick',
        data: '{}',
      }));
      for (let round = 0; round < 10; round++) {
        await Promise.all(Array.from({ length: 30 }, () => sdk.triggerBatch(batch)));
      }
      await page
        .locator('#tail-note', { hasText: 'Busy app: the server sends at most 200' })
        .waitFor();
      expect(await page.locator('#entries tr').count()).toBeLessThanOrEqual(500);
      await page.getByLabel('Filter').fill('flood-3');
      expect(new Set((await visibleRows(page)).map((row) => row.channel))).toEqual(
        new Set(['flood-3']),
      );
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
    'shows a failing webhook retried, then its dead letter, and redelivers it once the target is back',
    async () => {
      let healthy = false;
      const { url, received } = await webhookReceiver(() => !healthy);
      const target = await hookedServer(url);
      const page = await openConsole('app-secret', undefined, target);
      await watching(page);
      await subscribeAndWait(await connectPusher(target.port), 'orders');
      const attempts = page.locator('#attempts li');
      await page.locator('#attempts li[data-outcome=dead-lettered]').waitFor();
      expect(await attempts.filter({ hasText: 'retry 1 ·' }).count()).toBe(1);
      expect(await attempts.last().textContent()).toContain('503first try');
      expect(await attempts.last().textContent()).toContain(url);
      expect(await attempts.last().textContent()).toContain('channel_occupied');
      const letter = page.locator('#dead-letters li');
      await letter.first().waitFor();
      expect(await letter.count()).toBe(1);
      healthy = true;
      await letter.getByRole('button', { name: 'Redeliver' }).click();
      await page.locator('#attempts li[data-outcome=delivered]', { hasText: '200' }).waitFor();
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('channel_occupied');
      await page.locator('#dead-note', { hasText: 'None' }).waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'reads well at 1280×800 and at 390×844 (screenshots in test-artifacts/)',
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      // The receiver refuses the vault's webhooks: retries, then a dead letter.
      const { url } = await webhookReceiver((body) => body.includes('private-vault'));
      for (const [width, height] of [
        [1280, 800],
        [390, 844],
      ] as const) {
        const target = await hookedServer(url);
        const page = await openConsole('app-secret', { width, height }, target);
        await watching(page);
        const reader = await occupy(target.port);
        reader.subscribe('private-vault');
        const forger = await connectPusher(target.port, {
          authorizeChannel: () => ({ auth: `app-key:${'0'.repeat(64)}` }),
        });
        forger.subscribe('private-payroll');
        const sdk = sdkFor({ port: target.port });
        await sdk.trigger('news', 'headline', { title: 'Console ships', words: 1200 });
        await page.waitForSelector('tr[data-name=api_message]');
        await page.locator('#dead-letters li').waitFor();
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
