/** Webhooks reach a real HTTP receiver, signed so that the official SDK accepts them. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PusherServer from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/api-harness.ts';
import { subscribeAndWait as subscribed } from '../helpers/pusher-client.ts';
import { waitUntil } from '../helpers/wait.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let harness: Harness | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await harness?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, received };
}

const verifier = new PusherServer({
  appId: 'app-id',
  key: 'app-key',
  secret: 'app-secret',
  host: '127.0.0.1',
});
const eventsOf = (received: Received[]) =>
  received.flatMap(
    (r) => (JSON.parse(r.body) as { events: Array<Record<string, unknown>> }).events,
  );

async function harnessWithWebhook(url: string) {
  return startHarness({
    webhookRemovalDelayMs: 100,
    apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret', webhooks: [{ url }] }],
  });
}

describe('webhooks', () => {
  it('posts channel_occupied that the official SDK validates', async () => {
    const { url, received } = await startReceiver();
    harness = await harnessWithWebhook(url);
    await subscribed(await harness.client(), 'orders');
    await waitUntil(() => received.length === 1, 'the webhook');
    const [request] = received;
    expect(verifier.webhook({ headers: request!.headers, rawBody: request!.body }).isValid()).toBe(
      true,
    );
    expect(request!.headers['content-type']).toBe('application/json');
    expect(eventsOf(received)).toEqual([{ name: 'channel_occupied', channel: 'orders' }]);
  });

  it('posts member_added, client_event, member_removed and channel_vacated', async () => {
    const { url, received } = await startReceiver();
    harness = await harnessWithWebhook(url);
    const alice = await harness.client({ userId: 'alice' });
    const channel = await subscribed(alice, 'presence-chat');
    channel.trigger('client-typing', { on: true });
    await waitUntil(
      () => eventsOf(received).some((e) => e.name === 'client_event'),
      'the client event',
    );
    alice.unsubscribe('presence-chat');
    await waitUntil(
      () => eventsOf(received).some((e) => e.name === 'channel_vacated'),
      'channel_vacated',
    );
    expect(eventsOf(received)).toEqual([
      { name: 'channel_occupied', channel: 'presence-chat' },
      { name: 'member_added', channel: 'presence-chat', user_id: 'alice' },
      {
        name: 'client_event',
        channel: 'presence-chat',
        event: 'client-typing',
        data: '{"on":true}',
        socket_id: alice.connection.socket_id,
        user_id: 'alice',
      },
      { name: 'member_removed', channel: 'presence-chat', user_id: 'alice' },
      { name: 'channel_vacated', channel: 'presence-chat' },
    ]);
  });

  it('retries a delivery the receiver refused', async () => {
    const { url, received } = await startReceiver([500]);
    harness = await harnessWithWebhook(url);
    await subscribed(await harness.client(), 'retry-me');
    await waitUntil(() => received.length === 2, 'the retry', 5_000);
    expect(received[1]!.body).toBe(received[0]!.body);
  });
});
