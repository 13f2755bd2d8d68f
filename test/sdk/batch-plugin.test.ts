/**
 * The real pusher-js-auth plugin (npm) batching subscriptions of a real pusher-js client into one
 * request to our channel auth endpoint, then subscribing on a real Pushwire server.
 */
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelAuthHandler, Pushwire, toNodeHandler } from '../../src/sdk/index.ts';
import { APP, connectPusher, nextEvent, startPushwire, stopAll } from './live.ts';

const PusherBatchAuthorizer = createRequire(import.meta.url)('pusher-js-auth') as unknown;
const sdk = new Pushwire(APP);

async function startAuthApp() {
  const bodies: string[] = [];
  const endpoint = createChannelAuthHandler<IncomingMessage>({
    sdk,
    authorize: (request, { channelName }) => {
      if (request.headers['x-csrf-token'] !== 't0ken' || channelName.endsWith('-denied'))
        return false;
      return channelName.startsWith('presence-')
        ? { user_id: 'carol', user_info: { name: 'Carol' } }
        : true;
    },
  });
  const handle = toNodeHandler(endpoint);
  const server = createServer(async (request, response) => {
    // Keeps a copy of each raw body to check the batching, then lets the adapter parse it.
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    bodies.push(body);
    void handle(Object.assign(request, { body }), response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pusher/auth`;
  return { url, bodies, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe('pusher-js-auth batching against createChannelAuthHandler', () => {
  afterEach(stopAll);

  it('subscribes the allowed channels and refuses the denied one from a single request', async () => {
    const server = await startPushwire();
    const app = await startAuthApp();
    try {
      const pusher = connectPusher(server, {
        authorizer: PusherBatchAuthorizer as never,
        authEndpoint: app.url,
        auth: { headers: { 'x-csrf-token': 't0ken' } },
      });
      const privateChannel = pusher.subscribe('private-batch-a');
      const presenceChannel = pusher.subscribe('presence-batch-b');
      const deniedChannel = pusher.subscribe('private-batch-denied');
      const [, members, refusal] = await Promise.all([
        nextEvent(privateChannel, 'pusher:subscription_succeeded'),
        nextEvent<{ me: { id: string; info: unknown } }>(
          presenceChannel,
          'pusher:subscription_succeeded',
        ),
        nextEvent(deniedChannel, 'pusher:subscription_error'),
      ]);
      expect(members.me).toEqual({ id: 'carol', info: { name: 'Carol' } });
      expect(refusal).toBeDefined();
      expect(app.bodies).toHaveLength(1);
      expect(app.bodies[0]).toMatch(/^&socket_id=\d+\.\d+&channel_name\[0\]=/);
      expect(app.bodies[0]).toContain('channel_name[2]=');
    } finally {
      await app.close();
    }
  });
});
