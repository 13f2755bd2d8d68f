/**
 * pusher-js's browser build in headless Chromium, on a page that removes `window.WebSocket`
 * before loading it, as a proxy that blocks WebSockets leaves a browser: it connects through the
 * HTTP fallback to Pushwire (a cross-origin server, so CORS is exercised), subscribes and
 * receives events, and no request ever leaves for pusher.com.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer } from '../helpers/server.ts';

const BROWSER_TEST_MS = 30_000;
const PUSHER_JS = readFileSync(
  createRequire(import.meta.url).resolve('pusher-js/dist/web/pusher.min.js'),
  'utf8',
);

let server: RunningServer;
let site: Server;
let siteOrigin: string;
let browser: Browser;

/** The page's own origin serves it and pusher-js; Pushwire is another origin. */
function startSite(): Promise<Server> {
  const page = `<!doctype html><meta charset="utf-8">
<script>delete window.WebSocket; window.MozWebSocket = undefined;</script>
<script src="/pusher.js"></script>
<body>no WebSocket here</body>`;
  const http = createServer((req, res) => {
    const js = req.url === '/pusher.js';
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? PUSHER_JS : page);
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

beforeAll(async () => {
  site = await startSite();
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  server = await startTestServer({
    apps: [{ id: '1', key: 'app-key', secret: 'app-secret', allowedOrigins: [siteOrigin] }],
  });
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => site?.close(resolve));
});

/** A page with every request recorded; none may leave 127.0.0.1 (they are refused if they try). */
async function openPage(): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext();
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return new URL(url).hostname === '127.0.0.1' ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${siteOrigin}/`);
  return { page, requests };
}

/** Connects the page's pusher-js with the README's fallback options, subscribes, collects events. */
async function connectInPage(page: Page, transports?: string[]): Promise<string> {
  return page.evaluate(
    async ({ port, transports }) => {
      const w = window as unknown as Record<string, unknown>;
      if ('WebSocket' in window) throw new Error('the page still has a WebSocket');
      type Bindable = { bind(event: string, callback: (data: unknown) => void): void };
      const Pusher = w.Pusher as new (
        key: string,
        options: object,
      ) => Bindable & {
        connection: Bindable & { state: string; connection?: { transport?: { name: string } } };
        subscribe(channel: string): Bindable;
      };
      const pusher = new Pusher('app-key', {
        cluster: 'local',
        wsHost: '127.0.0.1',
        wsPort: port,
        httpHost: '127.0.0.1',
        httpPort: port,
        forceTLS: false,
        ...(transports ? { enabledTransports: transports } : {}),
      });
      const received: unknown[] = [];
      w.received = received;
      const channel = pusher.subscribe('news');
      channel.bind('headline', (data) => received.push(data));
      await new Promise((resolve, reject) => {
        channel.bind('pusher:subscription_succeeded', resolve);
        setTimeout(() => reject(new Error(`not subscribed: ${pusher.connection.state}`)), 20_000);
      });
      return pusher.connection.connection?.transport?.name ?? 'unknown';
    },
    { port: server.port, transports },
  );
}

async function expectHeadlines(page: Page): Promise<void> {
  const sdk = sdkFor({ port: server.port });
  await sdk.trigger('news', 'headline', { n: 1 });
  await sdk.trigger('news', 'headline', { n: 2 });
  await page.waitForFunction(
    () => (window as unknown as { received: unknown[] }).received.length === 2,
  );
  expect(
    await page.evaluate(() => (window as unknown as { received: unknown[] }).received),
  ).toEqual([{ n: 1 }, { n: 2 }]);
}

describe('pusher-js in Chromium without WebSocket', () => {
  it(
    'connects over xhr_streaming to Pushwire, subscribes and receives events; nothing goes to pusher.com',
    async () => {
      const { page, requests } = await openPage();
      expect(await connectInPage(page)).toBe('xhr_streaming');
      await expectHeadlines(page);
      const hosts = new Set(requests.map((url) => new URL(url).host));
      expect([...hosts]).toEqual(
        expect.arrayContaining([`127.0.0.1:${server.port}`, new URL(siteOrigin).host]),
      );
      expect(requests.filter((url) => !url.startsWith('http://127.0.0.1:'))).toEqual([]);
      expect(requests.some((url) => url.includes('/pusher/app/app-key/'))).toBe(true);
      await page.context().close();
    },
    BROWSER_TEST_MS,
  );

  it(
    'connects over xhr_polling when that is the only transport allowed',
    async () => {
      const { page, requests } = await openPage();
      expect(await connectInPage(page, ['xhr_polling'])).toBe('xhr_polling');
      await expectHeadlines(page);
      expect(requests.filter((url) => !url.startsWith('http://127.0.0.1:'))).toEqual([]);
      await page.context().close();
    },
    BROWSER_TEST_MS,
  );
});
