import { afterEach, describe, expect, it } from 'vitest';
import { sdk, wrongSecretSdk } from '../helpers/sdk.ts';
import {
  collect,
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
  type PusherClientOptions,
} from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';

afterEach(async () => {
  disconnectAllPushers();
  await stopAllServers();
});

interface PusherErrorEvent {
  type: string;
  data: { code: number | null; message: string };
}

/**
 * Subscribes with a bad auth value and checks what pusher-js sees (§5.6): a `pusher:error` with
 * code null on the connection and globally, no subscription_succeeded, and a connection that
 * stays up and keeps serving.
 */
async function expectDenied(
  channelName: string,
  authorizeChannel: PusherClientOptions['authorizeChannel'],
) {
  const server = await startProtocolServer();
  const pusher = await connectPusher(server.port, { authorizeChannel });
  const socketId = pusher.connection.socket_id;
  const connectionError = nextEvent<PusherErrorEvent>(pusher.connection, 'error');
  const globalError = nextEvent<{ code: number | null; message: string }>(pusher, 'pusher:error');
  const channel = pusher.subscribe(channelName);
  const succeeded = collect(channel, 'pusher:subscription_succeeded');

  const { data: fromConnection } = await connectionError;
  expect(fromConnection).toEqual({
    type: 'PusherError',
    data: { code: null, message: expect.any(String) },
  });
  expect((await globalError).data).toEqual(fromConnection.data);

  // A later subscribe succeeding proves the denied one's answer was the error, not a success.
  await subscribeAndWait(pusher, 'after-denial');
  expect(succeeded).toEqual([]);
  expect(channel.subscribed).toBe(false);
  expect(pusher.connection.state).toBe('connected');
  expect(pusher.connection.socket_id).toBe(socketId);
  return fromConnection.data.message;
}

describe('pusher-js denied subscriptions', () => {
  it('reports pusher:error for a private channel signed with the wrong secret', async () => {
    const message = await expectDenied('private-chat', (socketId, channel) =>
      wrongSecretSdk.authorizeChannel(socketId, channel),
    );
    expect(message).toMatch(/^Invalid signature/);
  });

  it('reports pusher:error for a private channel signed for another socket_id', async () => {
    await expectDenied('private-chat', (_socketId, channel) =>
      sdk.authorizeChannel('123.456', channel),
    );
  });

  it('reports pusher:error for a private channel signed for another channel', async () => {
    await expectDenied('private-chat', (socketId) =>
      sdk.authorizeChannel(socketId, 'private-other'),
    );
  });

  it('reports pusher:error for a presence channel whose channel_data was tampered with', async () => {
    await expectDenied('presence-room', (socketId, channel) => {
      const signed = sdk.authorizeChannel(socketId, channel, { user_id: 'alice' });
      return { auth: signed.auth, channel_data: JSON.stringify({ user_id: 'admin' }) };
    });
  });

  it('reports pusher:error for an encrypted channel signed with the wrong secret', async () => {
    await expectDenied('private-encrypted-dm', (socketId, channel) =>
      wrongSecretSdk.authorizeChannel(socketId, channel),
    );
  });
});
