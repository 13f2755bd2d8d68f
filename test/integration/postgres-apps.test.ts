/**
 * A server whose apps live in a PostgreSQL table: pusher-js and the official SDK work with a
 * row's key and secret, and apps added or removed while the server runs are served or refused
 * at once, without a restart.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import {
  POSTGRES_URL,
  dropTestTables,
  postgresGate,
  sql,
  uniqueTable,
} from '../helpers/postgres.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await postgresGate('PostgreSQL app store (server)');
afterAll(async () => {
  if (enabled) await dropTestTables();
});

afterEach(async () => {
  disconnectAllPushers();
  await stopAllServers();
});

async function serverWithTable(): Promise<{ server: RunningServer; table: string }> {
  const table = uniqueTable();
  const server = await startTestServer({
    appStore: { type: 'postgres', url: POSTGRES_URL, table },
  });
  return { server, table };
}

/** Adds an app row and waits until the server serves it. */
async function addApp(server: RunningServer, table: string, id: string, settings: object = {}) {
  await sql(`INSERT INTO ${table} (id, key, secret, settings) VALUES ($1, $2, $3, $4)`, [
    id,
    `${id}-key`,
    `${id}-secret`,
    JSON.stringify(settings),
  ]);
  await waitUntil(() => server.apps.byKey(`${id}-key`), `app ${id}`);
}

/** The close code a raw connection to app `key` gets. */
async function closeCodeFor(server: RunningServer, key: string): Promise<number> {
  const client = await RawClient.open(`${server.wsUrl}/app/${key}?protocol=7`);
  return (await client.closed).code;
}

const sdkOf = (server: RunningServer, id: string) =>
  sdkFor({ appId: id, key: `${id}-key`, secret: `${id}-secret`, port: server.port });

describe.skipIf(!enabled)('apps from a PostgreSQL table', () => {
  it('does not serve the embedded default app', async () => {
    const { server } = await serverWithTable();
    expect(await closeCodeFor(server, 'app-key')).toBe(4001);
  });

  it('serves an app added while running to pusher-js and the official SDK', async () => {
    const { server, table } = await serverWithTable();
    await addApp(server, table, 'late');
    const sdk = sdkOf(server, 'late');
    const pusher = await connectPusher(server.port, { key: 'late-key', signer: sdk });
    const channel = await subscribeAndWait(pusher, 'private-orders');
    const received = new Promise((resolve) => channel.bind('created', resolve));
    await sdk.trigger('private-orders', 'created', { id: 7 });
    expect(await received).toEqual({ id: 7 });
  });

  it('applies the settings of a row', async () => {
    const { server, table } = await serverWithTable();
    await addApp(server, table, 'off', { enabled: false });
    expect(await closeCodeFor(server, 'off-key')).toBe(4003);
  });

  it('checks the subscriptions of an open connection against a rotated secret', async () => {
    const { server, table } = await serverWithTable();
    await addApp(server, table, 'rot');
    const client = await RawClient.connect(server.wsUrl, 'rot-key');
    await sql(`UPDATE ${table} SET secret = 'rot-new' WHERE id = 'rot'`);
    await waitUntil(() => server.apps.byId('rot')?.secret === 'rot-new', 'the new secret');
    const signed = (secret: string, channel: string) =>
      sdkFor({ appId: 'rot', key: 'rot-key', secret }).authorizeChannel(client.socketId, channel);
    // The endpoint applies changes once a second; the new secret works from then on.
    await waitUntil(async () => {
      client.subscribe('private-new', signed('rot-new', 'private-new'));
      const reply = await client.waitFor(
        (f) => f.channel === 'private-new' || f.event === 'pusher:error',
      );
      return reply.event === 'pusher_internal:subscription_succeeded';
    }, 'a subscription signed with the new secret');
    client.subscribe('private-old', signed('rot-secret', 'private-old'));
    expect((await client.waitForEvent('pusher:error')).data).toMatchObject({ code: null });
  });

  it('closes the open connections of a removed app with 4001 and of a disabled one with 4003', async () => {
    const { server, table } = await serverWithTable();
    await addApp(server, table, 'gone');
    await addApp(server, table, 'off');
    const gone = await RawClient.connect(server.wsUrl, 'gone-key');
    const off = await RawClient.connect(server.wsUrl, 'off-key');
    await sql(`DELETE FROM ${table} WHERE id = 'gone'`);
    await sql(`UPDATE ${table} SET settings = '{"enabled": false}' WHERE id = 'off'`);
    expect((await gone.closed).code).toBe(4001);
    expect((await off.closed).code).toBe(4003);
  });

  it('refuses new connections and API calls of a deleted app', async () => {
    const { server, table } = await serverWithTable();
    await addApp(server, table, 'gone');
    await sql(`DELETE FROM ${table} WHERE id = 'gone'`);
    await waitUntil(() => server.apps.byKey('gone-key') === undefined, 'the removal');
    expect(await closeCodeFor(server, 'gone-key')).toBe(4001);
    await expect(sdkOf(server, 'gone').trigger('c', 'e', {})).rejects.toMatchObject({
      status: 404,
    });
  });
});
