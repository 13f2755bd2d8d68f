/**
 * The chat example end to end in headless Chromium (Debian's, driven by playwright-core; no
 * browser is downloaded): presence between two signed-in users, messages both ways, a refused
 * anonymous subscription, and the JSONP page on another origin.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/helpers/chromium.ts';
import { startChatExample, type RunningChatExample } from './example.ts';

/** Generous: the full suite shares two cores with this browser. */
const BROWSER_TEST_MS = 45_000;

let example: RunningChatExample;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  // Every context is a separate cookie jar; launch() gives the browser a fresh temporary profile.
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto(`${example.chatUrl}/`);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${example.chatUrl}/chat`), page.click('#login')]);
  await page.waitForSelector('#status.ok');
}

const onlineIds = (page: Page) =>
  page.$$eval('#online li', (items) => items.map((item) => (item as HTMLElement).dataset.userId));

describe('chat example in Chromium', () => {
  beforeAll(async () => {
    example = await startChatExample({ pushwirePort: 0, chatPort: 0, jsonpPort: 0 });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await example?.close();
  });

  it(
    'shows each signed-in user the other online, carries messages, and drops a closed tab',
    async () => {
      const alice = await newPage();
      const bob = await newPage();
      await signIn(alice, 'alice', 'wonderland');
      await signIn(bob, 'bob', 'builder');

      await alice.waitForSelector('#online li[data-user-id="bob"]');
      await bob.waitForSelector('#online li[data-user-id="alice"]');
      expect((await onlineIds(alice)).sort()).toEqual(['alice', 'bob']);

      // Through the backend, which publishes with the SDK.
      await alice.fill('#text', 'hello from alice');
      await alice.click('#send-server');
      await bob.waitForSelector(
        '#messages li[data-via="server"]:has-text("Alice: hello from alice")',
      );

      // As a client event, straight through the Pushwire server.
      await bob.fill('#text', 'hi from bob');
      await bob.click('#send-client');
      await alice.waitForSelector('#messages li[data-via="client"]:has-text("Bob: hi from bob")');

      await bob.close();
      await alice.waitForFunction(() => !document.querySelector('#online li[data-user-id="bob"]'));
      expect(await onlineIds(alice)).toEqual(['alice']);
    },
    BROWSER_TEST_MS,
  );

  it(
    'answers 403 to a visitor who is not signed in and the page says the subscription was refused',
    async () => {
      const visitor = await newPage();
      const authResponse = visitor.waitForResponse((response) =>
        response.url().endsWith('/pusher/auth'),
      );
      await visitor.goto(`${example.chatUrl}/chat`);
      expect((await authResponse).status()).toBe(403);
      await visitor.waitForSelector('#status.refused');
      expect(await visitor.textContent('#status')).toContain('refused (HTTP 403)');
      expect(await onlineIds(visitor)).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'joins a private channel with the jsonp transport from another origin, and never the denied one',
    async () => {
      const page = await newPage();
      // Chromium reports a refused JSONP script as a failed request (ORB blocks the JSON 403 body),
      // so outcomes are recorded from both events.
      const outcomes = new Map<string, string>();
      page.on('response', (response) => outcomes.set(response.url(), String(response.status())));
      page.on('requestfailed', (request) => outcomes.set(request.url(), 'failed'));
      const allowed = page.waitForRequest((request) =>
        request.url().includes('channel_name=private-jsonp-demo'),
      );
      const denied = page.waitForRequest((request) =>
        request.url().includes('channel_name=private-jsonp-forbidden'),
      );
      await page.goto(`${example.jsonpUrl}/`);
      expect(new URL(example.jsonpUrl).origin).not.toBe(new URL(example.chatUrl).origin);

      const allowedResponse = await (await allowed).response();
      expect(allowedResponse?.status()).toBe(200);
      expect(allowedResponse?.headers()['content-type']).toBe('application/javascript');
      await page.waitForSelector('#allowed.ok');
      expect(await page.textContent('#allowed')).toBe('subscribed');

      const deniedUrl = (await denied).url();
      await expect.poll(() => outcomes.get(deniedUrl)).toBe('failed');
      // The same request again, outside the browser: the endpoint's answer is a 403.
      expect((await fetch(deniedUrl)).status).toBe(403);
      // JSONP has no error path, so the subscription stays pending. A negative can only be watched
      // over a window: one second after the failure, nothing may have changed.
      await page.waitForTimeout(1_000);
      expect(await page.textContent('#denied')).toBe('waiting');
      const state = await page.evaluate(() => {
        type Instance = {
          channel(name: string): { subscribed: boolean; subscriptionPending: boolean };
        };
        const { Pusher } = window as unknown as { Pusher: { instances: Instance[] } };
        const channel = Pusher.instances[0]?.channel('private-jsonp-forbidden');
        return { subscribed: channel?.subscribed, pending: channel?.subscriptionPending };
      });
      expect(state).toEqual({ subscribed: false, pending: true });
    },
    BROWSER_TEST_MS,
  );
});
