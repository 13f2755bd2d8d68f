import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import {
  connectPusher,
  createPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
  waitForState,
} from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers, type ProtocolServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  disconnectAllPushers();
  await closeAllRawClients();
  await stopAllServers();
});

const APPS = [
  { id: 'app-id', key: 'app-key', secret: 'app-secret' },
  { id: 'off-id', key: 'off-key', secret: 'off-secret', enabled: false },
  { id: 'one-id', key: 'one-key', secret: 'one-secret', maxConnections: 1 },
];

const refusedCount = (server: ProtocolServer, code: number) =>
  server.metric('pushwire_connections_refused_total', { code: String(code) });

/**
 * pusher-js must end in `disconnected` without retrying (§4.1: 4001-4099 are fatal). Retries
 * come after at most 1 s, so a quiet 1.5 s with a single refusal on the server proves none.
 */
async function expectRefusedWithoutRetry(server: ProtocolServer, key: string, code: number) {
  const pusher = createPusher(server.port, { key });
  const error = nextEvent<{ type: string; error: { type: string; data: { code: number } } }>(
    pusher.connection,
    'error',
  );
  expect((await error).data).toMatchObject({
    type: 'WebSocketError',
    error: { type: 'PusherError', data: { code } },
  });
  await waitForState(pusher, 'disconnected');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(pusher.connection.state).toBe('disconnected');
  expect(await refusedCount(server, code)).toBe(1);
}

describe('connection refusals seen by pusher-js', () => {
  it('stops without retry on an unknown app key (4001)', async () => {
    const server = await startProtocolServer({ apps: APPS });
    await expectRefusedWithoutRetry(server, 'no-such-key', 4001);
  });

  it('stops without retry on a disabled app (4003)', async () => {
    const server = await startProtocolServer({ apps: APPS });
    await expectRefusedWithoutRetry(server, 'off-key', 4003);
  });

  it('stops without retry when the app is over its connection quota (4004)', async () => {
    const server = await startProtocolServer({ apps: APPS });
    await connectPusher(server.port, { key: 'one-key' });
    await server.quotaSettled();
    await expectRefusedWithoutRetry(server, 'one-key', 4004);
  });

  it('admits a connection again once the quota has room', async () => {
    const server = await startProtocolServer({ apps: APPS });
    const first = await connectPusher(server.port, { key: 'one-key' });
    first.disconnect();
    await waitUntil(
      async () => (await server.connections()) === 0,
      'the first connection to close',
    );
    await server.quotaSettled();
    const second = await connectPusher(server.port, { key: 'one-key' });
    expect(second.connection.state).toBe('connected');
  });
});

describe('authorized connections seen by pusher-js', () => {
  const apps = [{ ...APPS[0]!, authorizedConnectionsTimeoutSeconds: 1 }];

  it('closes a connection not authorized in time with 4009, and pusher-js stays away', async () => {
    const server = await startProtocolServer({ apps });
    const pusher = await connectPusher(server.port);
    const error = nextEvent<{ data: unknown }>(pusher.connection, 'error');
    expect((await error).data).toMatchObject({ type: 'PusherError', data: { code: 4009 } });
    await waitForState(pusher, 'disconnected');
    await waitUntil(async () => (await server.connections()) === 0, 'the server to let go');
    // pusher-js retries within a second when it means to; 4009 is fatal (§4.1).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(pusher.connection.state).toBe('disconnected');
    expect(await server.connections()).toBe(0);
  });

  it('keeps a connection that subscribed to a private channel', async () => {
    const server = await startProtocolServer({ apps });
    const pusher = await connectPusher(server.port);
    await subscribeAndWait(pusher, 'private-orders');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(pusher.connection.state).toBe('connected');
  });
});

describe('connection refusals on the wire', () => {
  const QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';

  it.each([
    ['an unknown app key', `/app/no-such-key?${QUERY}`, 4001],
    ['a disabled app', `/app/off-key?${QUERY}`, 4003],
    ['a path other than /app/{key}', `/socket/app-key?${QUERY}`, 4005],
    ['an unsupported protocol', '/app/app-key?protocol=3', 4007],
    ['a missing protocol ([U] §1.2)', '/app/app-key?client=js', 4008],
    ['a malformed %-escape in the key', `/app/%E0%A4%A?${QUERY}`, 4001],
  ])('accepts the upgrade, sends pusher:error and closes for %s', async (_what, path, code) => {
    const server = await startProtocolServer({ apps: APPS });
    const client = await RawClient.open(`${server.wsUrl}${path}`);
    const error = await client.waitForEvent('pusher:error');
    expect(error.data).toEqual({ code, message: expect.any(String) });
    expect(client.frames.map((f) => f.event)).toEqual(['pusher:error']);
    expect((await client.closed).code).toBe(code);
    // The server still serves.
    await RawClient.connect(server.wsUrl);
  });
});
