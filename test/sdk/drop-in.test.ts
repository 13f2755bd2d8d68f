/**
 * "Change only the import": one piece of app code, written against the official `pusher` SDK,
 * runs once with the official class and once with `Pushwire` against a live server, and must
 * produce the same results (auth values, HTTP responses, errors, webhooks, statics).
 */
import PusherServer from 'pusher';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pushwire } from '../../src/sdk/index.ts';
import { MASTER_KEY, startPushwire, stopAll } from './live.ts';
import { hmacSha256Hex } from '../../packages/sdk/src/crypto.ts';

type PusherClass = typeof PusherServer;

/** Plain app code, as written for the official SDK; `Pusher` is whatever was imported. */
async function appCode(Pusher: PusherClass, port: number) {
  const pusher = new Pusher({
    appId: '1001',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
    encryptionMasterKeyBase64: MASTER_KEY,
  });
  const results: Record<string, unknown> = {};
  results.private = pusher.authorizeChannel('1.2', 'private-x');
  results.presence = pusher.authenticate('1.2', 'presence-x', {
    user_id: '7',
    user_info: { n: 1 },
  });
  results.encrypted = pusher.authorizeChannel('1.2', 'private-encrypted-x');
  results.user = pusher.authenticateUser('1.2', { id: '7', user_info: { name: 'Seven' } });
  // Public at runtime, though missing from the official typings.
  const withSecret = pusher as unknown as { channelSharedSecret(channel: string): Uint8Array };
  results.sharedSecret = Buffer.from(
    withSecret.channelSharedSecret('private-encrypted-x'),
  ).toString('hex');

  const triggered = await pusher.trigger(
    ['drop-in-a', 'drop-in-b'],
    'evt',
    { a: 1 },
    { info: 'subscription_count' },
  );
  results.trigger = { status: triggered.status, body: await triggered.json() };
  const batch = await pusher.triggerBatch([{ channel: 'drop-in-a', name: 'e', data: 'x' }]);
  results.batch = await batch.json();
  results.sendToUser = (await pusher.sendToUser('7', 'notice', { hi: true })).status;
  results.terminate = (await pusher.terminateUserConnections('7')).status;
  results.channels = await (await pusher.get({ path: '/channels' })).json();
  results.post = (
    await pusher.post({
      path: '/events',
      body: { name: 'e', channels: ['drop-in-a'], data: 'x' },
    } as never)
  ).status;
  results.error = await pusher
    .get({ path: '/channels/public-x', params: { info: 'user_count' } })
    .then(
      () => 'no error',
      (error: InstanceType<typeof Pusher.RequestError>) => ({
        isRequestError: error instanceof Pusher.RequestError,
        status: error.status,
        hasBody: typeof error.body === 'string',
      }),
    );
  try {
    pusher.authorizeChannel('not-a-socket', 'private-x');
    results.invalidSocket = 'accepted';
  } catch (error) {
    results.invalidSocket = error instanceof Error;
  }

  const rawBody = JSON.stringify({
    time_ms: 1_700_000_000_123,
    events: [{ name: 'channel_occupied', channel: 'c' }],
  });
  const webhook = pusher.webhook({
    headers: {
      'content-type': 'application/json',
      'x-pusher-key': 'app-key',
      'x-pusher-signature': hmacSha256Hex('app-secret', rawBody),
    },
    rawBody,
  });
  results.webhook = {
    valid: webhook.isValid(),
    events: webhook.getEvents(),
    time: webhook.getTime().getTime(),
  };

  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_700_000_000_000);
  results.signed = pusher.createSignedQueryString({
    method: 'GET',
    path: '/apps/1001/channels',
    params: { info: 'x' },
  });
  vi.useRealTimers();

  const fromUrl = Pusher.forURL(`http://app-key:app-secret@127.0.0.1:${port}/apps/1001`);
  results.forURL = await (await fromUrl.get({ path: '/channels' })).json();
  return results;
}

describe('Pushwire as a drop-in for the official pusher SDK', () => {
  afterEach(async () => {
    vi.useRealTimers();
    await stopAll();
  });

  it('gives app code written for the official SDK the same results when only the import changes', async () => {
    // A numeric app id: the official forURL parses it with parseInt.
    const server = await startPushwire({
      apps: [{ id: '1001', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true }],
    });
    const official = await appCode(PusherServer, server.port);
    const ours = await appCode(Pushwire as unknown as PusherClass, server.port);
    expect(ours).toEqual(official);
    expect(official.error).toMatchObject({ isRequestError: true, status: 400 });
  });
});
