/**
 * A server on port 0 with the official `pusher` SDK pointed at it, and real pusher-js clients
 * authorised by that SDK: the setup of every HTTP API test.
 */
import PusherServer from 'pusher';
import { DEFAULT_APP, type ConfigInput } from '../../src/config/schema.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { connectPusher, disconnectAllPushers, type PusherClient } from './pusher-client.ts';
import { MASTER_KEY_BASE64 } from './sdk.ts';
import { startTestServer } from './server.ts';

export interface Harness {
  readonly server: RunningServer;
  /** The official SDK, pointed at the server's HTTP API. */
  readonly sdk: PusherServer;
  /** A connected pusher-js client; presence channels join as `userId`, sign-in too. */
  client(options?: { userId?: string; userInfo?: Record<string, unknown> }): Promise<PusherClient>;
  stop(): Promise<void>;
}

export async function startHarness(config: Partial<ConfigInput> = {}): Promise<Harness> {
  const server = await startTestServer({ metrics: true, ...config });
  const sdk = new PusherServer({
    appId: config.apps?.[0]?.id ?? DEFAULT_APP.id,
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    encryptionMasterKeyBase64: MASTER_KEY_BASE64,
  });
  let clients = 0;
  return {
    server,
    sdk,
    client(options = {}) {
      const userId = options.userId ?? `user-${++clients}`;
      return connectPusher(server.port, {
        presence: { user_id: userId, ...(options.userInfo ? { user_info: options.userInfo } : {}) },
        user: { id: userId },
      });
    },
    async stop() {
      disconnectAllPushers();
      await server.stop();
    },
  };
}
