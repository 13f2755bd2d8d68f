/** Several apps on one server: each with its own key, secret and switches, never mixing. */
import PusherServer from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPusher, disconnectAllPushers, type PusherClient } from '../helpers/pusher-client.ts';
import { startProtocolServer, type ProtocolServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

let server: ProtocolServer;

beforeAll(async () => {
  server = await startProtocolServer({
    apps: [
      { id: 'blue', key: 'blue-key', secret: 'blue-secret' },
      { id: 'green', key: 'green-key', secret: 'green-secret', enableClientEvents: false },
    ],
  });
});
afterAll(async () => {
  disconnectAllPushers();
  await server.stop();
});

const sdk = (app: string) =>
  new PusherServer({
    appId: app,
    key: `${app}-key`,
    secret: `${app}-secret`,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
  });

const client = (key: string, signer: PusherServer): PusherClient =>
  createPusher(server.port, { key, signer });

describe('several apps', () => {
  it('keeps an event published to one app away from the same channel name of another', async () => {
    const blue = client('blue-key', sdk('blue'));
    const green = client('green-key', sdk('green'));
    const received: string[] = [];
    blue
      .subscribe('private-room')
      .bind('ev', (data: { app: string }) => received.push(`blue got ${data.app}`));
    green
      .subscribe('private-room')
      .bind('ev', (data: { app: string }) => received.push(`green got ${data.app}`));
    await waitUntil(
      () => blue.channel('private-room')?.subscribed && green.channel('private-room')?.subscribed,
      'both subscriptions',
    );
    await sdk('green').trigger('private-room', 'ev', { app: 'green' });
    await sdk('blue').trigger('private-room', 'ev', { app: 'blue' });
    await waitUntil(() => received.length === 2, 'both events');
    expect(received.sort()).toEqual(['blue got blue', 'green got green']);
  });

  it("refuses a subscription signed with another app's secret", async () => {
    const errors: Array<{ data?: { message?: string } }> = [];
    const green = client('green-key', sdk('blue'));
    green.connection.bind('error', (error: { data?: { message?: string } }) => errors.push(error));
    green.subscribe('private-secret');
    await waitUntil(() => errors.length === 1, 'the refusal');
    expect(errors[0]?.data?.message).toMatch(/^Invalid key in auth/);
  });

  it("applies each app's own switches", async () => {
    const errors: Array<{ data?: { message?: string } }> = [];
    const green = client('green-key', sdk('green'));
    green.connection.bind('error', (error: { data?: { message?: string } }) => errors.push(error));
    const channel = green.subscribe('private-chat');
    await waitUntil(() => channel.subscribed, 'the subscription');
    channel.trigger('client-hello', {});
    await waitUntil(() => errors.length === 1, 'the refusal');
    expect(errors[0]?.data?.message).toBe('Client events are not enabled for this app');
  });
});
