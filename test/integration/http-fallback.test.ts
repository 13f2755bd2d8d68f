/**
 * The HTTP fallback's own rules, over raw requests and the real pusher-js client: sessions,
 * bounds, CORS and `allowedOrigins`. The protocol itself is covered by the pusher-js suites,
 * which run over xhr_streaming and xhr_polling too (vitest.config.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../src/server/server.ts';
import {
  RawStream,
  closeAllStreams,
  newSessionId,
  post,
  send,
  sessionPath,
} from '../helpers/http-fallback-client.ts';
import {
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import { transportOptions } from '../helpers/pusher-js.ts';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  closeAllStreams();
  disconnectAllPushers();
  await closeAllRawClients();
  await stopAllServers();
});

const APP = { id: '1', key: 'app-key', secret: 'app-secret' };

describe('HTTP fallback sessions', () => {
  it('opens a stream with o, then connection_established, and takes messages by xhr_send', async () => {
    const server = await startTestServer();
    const session = newSessionId();
    const stream = await RawStream.open(server.port, sessionPath(session, 'xhr_streaming'));
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/javascript; charset=UTF-8');
    await stream.waitForEvent('pusher:connection_established');
    expect(stream.lines[0]).toBe('o');
    const subscribe = { event: 'pusher:subscribe', data: { channel: 'news' } };
    expect((await send(server.port, session, subscribe)).status).toBe(204);
    await stream.waitForEvent('pusher_internal:subscription_succeeded');
    expect(server.connections()).toBe(1);
    const gauge = async () => (await server.metrics.httpSessions.get()).values[0]?.value;
    expect(await gauge()).toBe(1);
    stream.close();
    await waitUntil(async () => (await gauge()) === 0, 'the session gauge back to 0');
  });

  it('answers a poll at once with what is queued, and holds the next one until there is more', async () => {
    const server = await startTestServer();
    const session = newSessionId();
    const first = await post(server.port, sessionPath(session, 'xhr'));
    expect(first.body.split('\n')[0]).toBe('o');
    expect(first.body).toContain('pusher:connection_established');
    const held = await RawStream.open(server.port, sessionPath(session, 'xhr'));
    await send(server.port, session, { event: 'pusher:ping', data: {} });
    await held.waitForEvent('pusher:pong');
    await waitUntil(() => held.ended, 'the poll to be answered');
  });

  it('sends the publicHostname hint in o', async () => {
    const server = await startTestServer({ publicHostname: 'node-a.example.com' });
    const answer = await post(server.port, sessionPath(newSessionId(), 'xhr'));
    expect(answer.body.split('\n')[0]).toBe('o{"hostname":"node-a.example.com"}');
  });

  it('tells a refused session why, as a WebSocket would be told', async () => {
    const server = await startTestServer();
    const answer = await post(server.port, sessionPath(newSessionId(), 'xhr', 'no-such-key'));
    const [open, error, close] = answer.body.split('\n');
    expect(open).toBe('o');
    expect(error).toContain('4001');
    expect(close).toBe('c[4001,"Application does not exist"]');
    expect(server.connections()).toBe(0);
  });

  it('keeps a streaming pusher-js client on one session across the 256 KiB stream rollover', async () => {
    const server = await startTestServer();
    const pusher = await connectPusher(server.port, {
      extra: transportOptions(server.port, 'xhr_streaming'),
    });
    const socketId = pusher.connection.socket_id;
    const channel = await subscribeAndWait(pusher, 'bulk');
    const received: number[] = [];
    channel.bind('chunk', (data: { n: number }) => received.push(data.n));
    const sdk = sdkFor({ port: server.port });
    const filler = 'x'.repeat(8_000);
    for (let n = 0; n < 80; n++) await sdk.trigger('bulk', 'chunk', { n, filler });
    await waitUntil(() => received.length === 80, '80 events past two rollovers');
    expect(received).toEqual([...Array(80).keys()]);
    expect(pusher.connection.socket_id).toBe(socketId);
    expect(server.connections()).toBe(1);
  });

  it('closes a polling session whose client stops polling, so its presence member leaves', async () => {
    const server = await startTestServer();
    const watcher = await connectPusher(server.port, { presence: { user_id: 'watcher' } });
    const room = await subscribeAndWait(watcher, 'presence-room');
    const session = newSessionId();
    const first = await post(server.port, sessionPath(session, 'xhr'));
    const established = JSON.parse(
      (JSON.parse(first.body.split('\n')[1]!.slice(1)) as string[])[0]!,
    ) as { data: string };
    const socketId = (JSON.parse(established.data) as { socket_id: string }).socket_id;
    const sdk = sdkFor({ port: server.port });
    const auth = sdk.authorizeChannel(socketId, 'presence-room', { user_id: 'poller' });
    const added = nextEvent(room, 'pusher:member_added');
    await send(server.port, session, {
      event: 'pusher:subscribe',
      data: { channel: 'presence-room', ...auth },
    });
    expect((await added).data).toMatchObject({ id: 'poller' });
    // The client polls no more: within about 3 s the session is closed and the member leaves.
    const removed = nextEvent(room, 'pusher:member_removed', 6_000);
    const started = Date.now();
    expect((await removed).data).toMatchObject({ id: 'poller' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.connections()).toBe(1);
  });

  it('closes a session at once when its client drops the stream', async () => {
    const server = await startTestServer();
    const stream = await RawStream.open(server.port, sessionPath(newSessionId(), 'xhr_streaming'));
    await stream.waitForEvent('pusher:connection_established');
    stream.close();
    await waitUntil(() => server.connections() === 0, 'the session to close', 1_000);
  });

  it('tells streaming and polling sessions 4200 when the server stops', async () => {
    const server = await startTestServer();
    const stream = await RawStream.open(server.port, sessionPath(newSessionId(), 'xhr_streaming'));
    await stream.waitForEvent('pusher:connection_established');
    const session = newSessionId();
    await post(server.port, sessionPath(session, 'xhr'));
    const stopped = server.stop();
    // A poller between two polls: the server waits for it to come back before it closes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const poll = await post(server.port, sessionPath(session, 'xhr'));
    await stopped;
    expect(poll.body).toContain('c[4200,"Server is restarting: reconnect"]');
    expect(stream.lines).toContain('c[4200,"Server is restarting: reconnect"]');
    expect(stream.messages.at(-1)).toMatchObject({ event: 'pusher:error', data: { code: 4200 } });
  });

  it('is not served with httpFallback off', async () => {
    const server = await startTestServer({ httpFallback: false });
    expect((await post(server.port, sessionPath(newSessionId(), 'xhr'))).status).toBe(404);
  });
});

describe('malformed HTTP fallback requests', () => {
  it('refuses a bad session id with 400', async () => {
    const server = await startTestServer();
    for (const session of ['1000/abc', 'x/abc', '1/a.b', `1/${'a'.repeat(33)}`]) {
      const answer = await post(server.port, sessionPath(session, 'xhr'));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: expect.stringContaining('session') });
    }
    expect(server.connections()).toBe(0);
  });

  it('answers xhr_send to an unknown session with 404', async () => {
    const server = await startTestServer();
    const answer = await send(server.port, newSessionId(), { event: 'pusher:ping', data: {} });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Unknown session' });
  });

  it('answers broken and oversized xhr_send bodies with 400 and 413, and keeps the session', async () => {
    const server = await startTestServer({ maxFrameBytes: 1_000 });
    const session = newSessionId();
    const stream = await RawStream.open(server.port, sessionPath(session, 'xhr_streaming'));
    await stream.waitForEvent('pusher:connection_established');
    const path = sessionPath(session, 'xhr_send');
    expect((await post(server.port, path, 'not json')).status).toBe(400);
    expect((await post(server.port, path, '{"event":"pusher:ping"}')).status).toBe(400);
    expect((await post(server.port, path, '[1,2]')).status).toBe(400);
    const big = await post(server.port, path, JSON.stringify(['x'.repeat(1_001)]));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: 'Message larger than 1000 bytes' });
    await send(server.port, session, { event: 'pusher:ping', data: {} });
    await stream.waitForEvent('pusher:pong');
    expect(server.connections()).toBe(1);
  });

  it('takes nothing more from a session the server has closed, while its close frame waits', async () => {
    const handles: ConnectionHandle[] = [];
    const observer = { opened: (c: ConnectionHandle) => handles.push(c), closed: () => undefined };
    const server = await startTestServer({}, { connectionObserver: observer });
    const session = newSessionId();
    await post(server.port, sessionPath(session, 'xhr'));
    handles[0]!.disconnect(4009, 'Terminated');
    const subscribe = { event: 'pusher:subscribe', data: { channel: 'news' } };
    expect((await send(server.port, session, subscribe)).status).toBe(404);
    const poll = await post(server.port, sessionPath(session, 'xhr'));
    expect(poll.body).toContain('c[4009,"Terminated"]');
    const channels = await sdkFor({ port: server.port }).get({ path: '/channels' });
    expect(await channels.json()).toEqual({ channels: {} });
  });

  it('opens and releases a session even when the connection observer throws', async () => {
    const observer = {
      opened: () => {
        throw new Error('observer failed');
      },
      closed: () => undefined,
    };
    const server = await startTestServer({}, { connectionObserver: observer });
    const session = newSessionId();
    const stream = await RawStream.open(server.port, sessionPath(session, 'xhr_streaming'));
    expect(stream.status).toBe(200);
    await stream.waitForEvent('pusher:connection_established');
    stream.close();
    await waitUntil(() => server.connections() === 0, 'the session released');
  });

  it('refuses a second open request on a session with 409', async () => {
    const server = await startTestServer();
    const session = newSessionId();
    const stream = await RawStream.open(server.port, sessionPath(session, 'xhr_streaming'));
    await stream.waitForEvent('pusher:connection_established');
    expect((await post(server.port, sessionPath(session, 'xhr_streaming'))).status).toBe(409);
    expect((await post(server.port, sessionPath(session, 'xhr'))).status).toBe(400);
    expect(stream.ended).toBe(false);
  });

  it('answers 503 past maxHttpSessions, and frees every session its client leaves', async () => {
    const server = await startTestServer({ maxHttpSessions: 5 });
    const streams = await Promise.all(
      [...Array(5).keys()].map(() =>
        RawStream.open(server.port, sessionPath(newSessionId(), 'xhr_streaming')),
      ),
    );
    const over = await post(server.port, sessionPath(newSessionId(), 'xhr_streaming'));
    expect(over.status).toBe(503);
    expect(JSON.parse(over.body)).toEqual({ error: 'Too many HTTP sessions' });
    for (const stream of streams) stream.close();
    await waitUntil(() => server.connections() === 0, 'every session to close');
    const again = await RawStream.open(server.port, sessionPath(newSessionId(), 'xhr_streaming'));
    expect(again.status).toBe(200);
  });
});

describe('allowedOrigins', () => {
  const restricted = { apps: [{ ...APP, allowedOrigins: ['https://app.example.com'] }] };

  it('refuses a WebSocket from another origin with 4009, and admits the allowed one', async () => {
    const server = await startTestServer(restricted);
    const url = `${server.wsUrl}/app/app-key?protocol=7`;
    const refused = await RawClient.open(url, { origin: 'https://evil.example' });
    expect((await refused.waitForEvent('pusher:error')).data).toEqual({
      code: 4009,
      message: 'Origin not allowed',
    });
    expect((await refused.closed).code).toBe(4009);
    const allowed = await RawClient.open(url, { origin: 'https://app.example.com' });
    await allowed.waitForEvent('pusher:connection_established');
    // Not a browser: nothing to check.
    await RawClient.connect(server.wsUrl);
  });

  it('answers CORS only for allowed origins', async () => {
    const server = await startTestServer(restricted);
    const path = sessionPath(newSessionId(), 'xhr_streaming');
    const preflight = await post(
      server.port,
      path,
      '',
      { origin: 'https://app.example.com' },
      'OPTIONS',
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-allow-headers']).toBe('Content-Type');
    const other = await post(server.port, path, '', { origin: 'https://evil.example' }, 'OPTIONS');
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const poll = await post(server.port, path.replace('xhr_streaming', 'xhr'), '', {
      origin: 'https://evil.example',
    });
    expect(poll.status).toBe(403);
    expect(server.connections()).toBe(0);
  });
});
