import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { connectPusher, disconnectAllPushers } from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  disconnectAllPushers();
  await closeAllRawClients();
  await stopAllServers();
});

/** Server keep-alive of one second each, swept once a second: all verdicts within ~4 s. */
const FAST = { activityTimeoutSeconds: 1, pongTimeoutSeconds: 1 };

describe('keep-alive', () => {
  it('answers a pusher:ping with pusher:pong', async () => {
    const server = await startProtocolServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'pusher:ping', data: {} });
    expect(await client.waitForEvent('pusher:pong')).toEqual({ event: 'pusher:pong', data: '{}' });
  });

  it('announces activity_timeout in connection_established', async () => {
    const server = await startProtocolServer(FAST);
    const client = await RawClient.connect(server.wsUrl);
    const established = client.frames[0];
    expect(JSON.parse(established?.data as string)).toMatchObject({ activity_timeout: 1 });
  });

  it('keeps a pusher-js client connected: it pings after its activity timeout and gets pongs', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port, { extra: { activityTimeout: 300 } });
    const socketId = pusher.connection.socket_id;
    let pongs = 0;
    pusher.connection.bind('message', (event: { event: string }) => {
      if (event.event === 'pusher:pong') pongs++;
    });
    await waitUntil(() => pongs >= 2, 'two pongs to pusher-js pings');
    expect(pusher.connection.state).toBe('connected');
    expect(pusher.connection.socket_id).toBe(socketId);
  });

  it('keeps a pusher-js client connected across server activity timeouts', async () => {
    const server = await startProtocolServer(FAST);
    const pusher = await connectPusher(server.port);
    const socketId = pusher.connection.socket_id;
    let pongs = 0;
    pusher.connection.bind('message', (event: { event: string }) => {
      if (event.event === 'pusher:pong') pongs++;
    });
    // pusher-js adopts the server's 1 s activity timeout and pings on its own.
    await waitUntil(() => pongs >= 3, 'three keep-alive rounds');
    expect(pusher.connection.state).toBe('connected');
    expect(pusher.connection.socket_id).toBe(socketId);
  });

  it('sends pusher:ping after activity_timeout of silence', async () => {
    const server = await startProtocolServer(FAST);
    const client = await RawClient.connect(server.wsUrl);
    expect(await client.waitForEvent('pusher:ping')).toEqual({ event: 'pusher:ping', data: '{}' });
  });

  it('closes with 4201 when the server ping is not answered within the pong timeout', async () => {
    const server = await startProtocolServer(FAST);
    const client = await RawClient.connect(server.wsUrl);
    await client.waitForEvent('pusher:ping');
    const error = await client.waitForEvent('pusher:error');
    expect(error.data).toEqual({ code: 4201, message: 'Pong reply not received' });
    expect((await client.closed).code).toBe(4201);
    await waitUntil(
      async () => (await server.connections()) === 0,
      'the server to forget the connection',
    );
  });

  it('stays open when the server ping is answered with pusher:pong', async () => {
    const server = await startProtocolServer(FAST);
    const client = await RawClient.connect(server.wsUrl);
    await client.waitForEvent('pusher:ping');
    client.send({ event: 'pusher:pong', data: {} });
    // A second ping can only come after the pong timeout would have closed an unanswered one.
    await client.waitForEvent('pusher:ping');
    client.send({ event: 'pusher:pong', data: {} });
    expect(client.isOpen).toBe(true);
    expect(client.frames.filter((f) => f.event === 'pusher:error')).toEqual([]);
  });
});
