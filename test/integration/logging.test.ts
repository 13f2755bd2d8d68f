/**
 * What the log tells an operator. At info: one line at start (address, apps, adapter, app
 * store), then one summary line per interval with traffic and none without. At debug: each
 * connection, subscription and refusal with its reason. Never a secret or a signature.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelStats } from '../../src/adapter/adapter.ts';
import { LocalAdapter } from '../../src/adapter/local.ts';
import { banner } from '../../src/cli/banner.ts';
import { captureLog, LEVEL, type LogLine } from '../helpers/captured-log.ts';
import {
  RawStream,
  closeAllStreams,
  newSessionId,
  send,
  sessionPath,
} from '../helpers/http-fallback-client.ts';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  closeAllStreams();
  await closeAllRawClients();
  await stopAllServers();
});

const BAD_SIGNATURE = 'f'.repeat(64);

describe('the log at info', () => {
  it('starts with one line naming the address, the apps, the adapter and the app store', async () => {
    const log = captureLog('info');
    const server = await startTestServer({}, { logger: log.logger });
    const lines = log.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: LEVEL.info,
      msg: `Pushwire listening on ${server.wsUrl}: 1 app (1) from the configuration, local adapter`,
      address: server.wsUrl,
      apps: [{ id: '1', key: 'app-key' }],
      adapter: 'local',
      appStore: { type: 'config' },
    });
    expect(log.text()).not.toContain('app-secret');
  });

  it('sums up an interval with traffic in one line: connections, messages, API calls, errors', async () => {
    const log = captureLog('info');
    const server = await startTestServer({ logSummarySeconds: 1 }, { logger: log.logger });
    const traffic = () => log.lines().filter((l) => l.msg.startsWith('traffic: '));
    const client = await RawClient.connect(server.wsUrl);
    client.subscribe('news');
    await client.waitForEvent('pusher_internal:subscription_succeeded', 'news');
    await sdkFor({ port: server.port }).trigger('news', 'flash', { n: 1 });
    await client.waitForEvent('flash', 'news');
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-x', auth: 'app-key:x' } });
    await client.waitForEvent('pusher:error');

    // The activity may straddle two intervals: wait until both lines account for all of it.
    const total = (key: keyof LogLine) =>
      traffic().reduce((sum, line) => sum + Number(line[key]), 0);
    await waitUntil(
      () => total('apiRequests') === 1 && total('errors') === 1,
      'summaries covering the activity',
      5_000,
    );
    expect(traffic()[0]).toMatchObject({ level: LEVEL.info, connections: 1, opened: 1 });
    expect(total('messagesOutPerSecond')).toBeGreaterThan(0);
    expect(total('messagesInPerSecond')).toBeGreaterThan(0);
  });

  it('counts an API request that fails inside (500) as an internal error and in the summary', async () => {
    class FailingAdapter extends LocalAdapter {
      override channels(): Promise<Map<string, ChannelStats>> {
        return Promise.reject(new Error('channels failed'));
      }
    }
    const log = captureLog('info');
    const server = await startTestServer(
      { logSummarySeconds: 1 },
      { logger: log.logger, adapter: new FailingAdapter() },
    );
    const traffic = () => log.lines().filter((l) => l.msg.startsWith('traffic: '));
    await expect(sdkFor({ port: server.port }).get({ path: '/channels' })).rejects.toMatchObject({
      status: 500,
    });
    expect((await server.metrics.internalErrors.get()).values[0]?.value).toBe(1);
    await waitUntil(
      () => traffic().reduce((sum, line) => sum + Number(line.errors), 0) === 1,
      'a summary counting the error',
      5_000,
    );
  });

  it('counts the messages of HTTP fallback sessions in the summary, as over a socket', async () => {
    const log = captureLog('info');
    const server = await startTestServer({ logSummarySeconds: 1 }, { logger: log.logger });
    const traffic = () => log.lines().filter((l) => l.msg.startsWith('traffic: '));
    const session = newSessionId();
    const stream = await RawStream.open(server.port, sessionPath(session, 'xhr_streaming'));
    await stream.waitForEvent('pusher:connection_established');
    await send(server.port, session, { event: 'pusher:subscribe', data: { channel: 'news' } });
    await stream.waitForEvent('pusher_internal:subscription_succeeded');
    await sdkFor({ port: server.port }).trigger('news', 'flash', { n: 1 });
    await stream.waitForEvent('flash');
    const total = (key: keyof LogLine) =>
      traffic().reduce((sum, line) => sum + Number(line[key]), 0);
    await waitUntil(
      () => total('messagesInPerSecond') > 0 && total('messagesOutPerSecond') > 0,
      "summaries counting the session's messages each way",
      5_000,
    );
  }, 10_000);
});

describe('the log at warn', () => {
  it('logs the failures of a webhook receiver that is down within a budget, not per attempt', async () => {
    const log = captureLog('warn');
    let attempts = 0;
    const webhooks = [{ url: 'http://127.0.0.1:1/hook' }];
    const apps = [{ id: '1', key: 'app-key', secret: 'app-secret', webhooks }];
    const server = await startTestServer(
      { apps },
      { logger: log.logger, onWebhookAttempt: () => attempts++ },
    );
    const client = await RawClient.connect(server.wsUrl);
    // Each channel's first subscriber is a channel_occupied webhook, and each fails.
    for (let i = 0; i < 30; i++) client.subscribe(`news-${i}`);
    await waitUntil(() => attempts >= 30, '30 failed attempts', 5_000);
    const failures = log.lines().filter((l) => l.msg === 'webhook delivery failed');
    expect(failures).toHaveLength(20);
    expect(failures[0]).toMatchObject({ level: LEVEL.warn, url: webhooks[0]!.url });
  });
});

describe('the log at debug', () => {
  it('shows each connection, subscription and refusal with its reason, and no signature', async () => {
    const log = captureLog('debug');
    const server = await startTestServer({}, { logger: log.logger });
    const client = await RawClient.connect(server.wsUrl);
    client.subscribe('news');
    await client.waitForEvent('pusher_internal:subscription_succeeded', 'news');
    client.subscribe('private-orders', { auth: `app-key:${BAD_SIGNATURE}` });
    await client.waitForEvent('pusher:error');
    await RawClient.open(`${server.wsUrl}/app/no-such-key?protocol=7`).then((c) => c.closed);
    client.socket.close();
    await waitUntil(() => log.lines().some((l) => l.msg === 'connection closed'), 'the close');

    const socketId = client.socketId;
    const debug = log.lines().filter((l) => l.level === LEVEL.debug);
    expect(debug).toEqual([
      expect.objectContaining({ msg: 'connection opened', socketId, appId: '1' }),
      expect.objectContaining({ msg: 'subscribed news', socketId, channel: 'news' }),
      expect.objectContaining({
        msg: 'client frame refused',
        reason: expect.stringMatching(/^Invalid signature: .* but got \[signature\]$/),
        socketId,
        channel: 'private-orders',
        code: null,
      }),
      expect.objectContaining({
        msg: expect.stringMatching(/^connection refused \(4001\): /),
        code: 4001,
        path: '/app/no-such-key',
      }),
      expect.objectContaining({ msg: 'connection closed', socketId }),
    ]);
    expect(debug[0]?.remoteAddress).toBe('127.0.0.1');
    expect(log.text()).not.toContain(BAD_SIGNATURE);
    expect(log.text()).not.toContain('app-secret');
  });

  it('shows an API request refused, with its reason and path but not its query', async () => {
    const log = captureLog('debug');
    const server = await startTestServer({}, { logger: log.logger });
    const wrongSecret = sdkFor({ port: server.port, secret: 'not-the-secret' });
    const status = await wrongSecret.trigger('news', 'flash', {}).then(
      () => 200,
      (error: { status: number }) => error.status,
    );
    expect(status).toBe(401);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: LEVEL.debug,
        msg: 'API request refused (401): Invalid signature: auth_signature does not match the request',
        method: 'POST',
        path: '/apps/1/events',
        status: 401,
      }),
    );
    expect(log.text()).not.toContain('auth_signature=');
  });

  it("shows the proxy's X-Forwarded-For beside the peer address", async () => {
    const log = captureLog('debug');
    const server = await startTestServer({}, { logger: log.logger });
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${server.wsUrl}/app/app-key?protocol=7`, {
      headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.2' },
    });
    await new Promise((resolve) => socket.once('message', resolve));
    socket.close();
    expect(log.lines().find((l) => l.msg === 'connection opened')).toMatchObject({
      remoteAddress: '127.0.0.1',
      forwardedFor: '203.0.113.9, 10.0.0.2',
    });
  });
});

describe('the public default app on a reachable address', () => {
  it('is warned about loudly in the log and the banner', async () => {
    const log = captureLog('info');
    const server = await startTestServer({ host: '0.0.0.0' }, { logger: log.logger });
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: LEVEL.warn,
        msg: expect.stringContaining('PUBLIC DEFAULT APP: the default app (key app-key'),
      }),
    );
    expect(banner(server)).toMatch(/\| WARNING: the default app .* is served on a {5}\|/);
  });

  it('is not warned about on loopback, nor for apps of your own on any address', async () => {
    for (const overrides of [
      { host: '127.0.0.1' },
      { host: '0.0.0.0', apps: [{ id: '7', key: 'own-key', secret: 'own-secret' }] },
    ]) {
      const log = captureLog('info');
      const server = await startTestServer(overrides, { logger: log.logger });
      expect(log.lines().filter((l) => l.level >= LEVEL.warn)).toEqual([]);
      expect(banner(server)).not.toContain('WARNING');
      await server.stop();
    }
  });
});
