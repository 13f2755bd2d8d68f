/**
 * A server on port 0 with the official `pusher` SDK pointed at it, and real pusher-js clients
 * authorised by that SDK: the setup of every HTTP API test.
 */
import { Pusher, type Channel, type PusherClient } from './pusher-js.ts';
import PusherServer from 'pusher';
import { resolveConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { MASTER_KEY_BASE64 } from './sdk.ts';
import { withTimeout } from './wait.ts';

export interface Harness {
  readonly server: RunningServer;
  readonly sdk: PusherServer;
  client(options?: { userId?: string; userInfo?: Record<string, unknown> }): Promise<PusherClient>;
  stop(): Promise<void>;
}

export async function startHarness(config: Partial<ConfigInput> = {}): Promise<Harness> {
  const server = await startServer(resolveConfig({ port: 0, logLevel: 'silent', ...config }));
  const sdk = new PusherServer({
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    encryptionMasterKeyBase64: MASTER_KEY_BASE64,
  });
  const clients: PusherClient[] = [];
  return {
    server,
    sdk,
    async client(options = {}) {
      const userId = options.userId ?? `user-${clients.length + 1}`;
      const pusher = new Pusher('app-key', {
        cluster: 'local',
        wsHost: '127.0.0.1',
        wsPort: server.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        disableStats: true,
        channelAuthorization: {
          endpoint: '/unused',
          transport: 'ajax',
          customHandler: ({ socketId, channelName }, callback) =>
            callback(
              null,
              sdk.authorizeChannel(
                socketId,
                channelName,
                channelName.startsWith('presence-')
                  ? {
                      user_id: userId,
                      ...(options.userInfo ? { user_info: options.userInfo } : {}),
                    }
                  : undefined,
              ),
            ),
        },
        userAuthentication: {
          endpoint: '/unused',
          transport: 'ajax',
          customHandler: ({ socketId }, callback) =>
            callback(null, sdk.authenticateUser(socketId, { id: userId })),
        },
      });
      clients.push(pusher);
      await withTimeout(
        new Promise<void>((resolve) => pusher.connection.bind('connected', () => resolve())),
        'pusher-js to connect',
      );
      return pusher;
    },
    async stop() {
      for (const pusher of clients) pusher.disconnect();
      await server.stop();
    },
  };
}

/** Subscribes and resolves once the server confirmed the subscription. */
export function subscribed(pusher: PusherClient, channelName: string): Promise<Channel> {
  const channel = pusher.subscribe(channelName);
  return withTimeout(
    new Promise<Channel>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve(channel));
      channel.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(JSON.stringify(error))),
      );
    }),
    `subscription to ${channelName}`,
  );
}

/** Collects every `event` received on `channel`, as pusher-js hands it to the app. */
export function collect(channel: Channel, event: string): unknown[] {
  const received: unknown[] = [];
  channel.bind(event, (data: unknown) => received.push(data));
  return received;
}
