/**
 * Revoking a console watcher who reads slowly (issue #9, part 1): the app's secret is rotated, or
 * the app disabled, in a store that changes at run time, while the watcher's feed still has bytes
 * the watcher has not taken. The feed ends, nothing more is written to it, and the process keeps
 * serving every app (it used to die of an uncaught ERR_STREAM_WRITE_AFTER_END).
 */
import { createHmac } from 'node:crypto';
import { ServerResponse } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { ChangingAppStore } from '../helpers/changing-app-store.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { signedRequest } from '../helpers/signed-request.ts';
import { waitUntil } from '../helpers/wait.ts';

const LIVE = { id: 'live', key: 'live-key', secret: 'live-secret', maxEventPayloadBytes: 70_000 };
const OTHER = { id: 'other', key: 'other-key', secret: 'other-secret' };
const ENTRY = 'x'.repeat(64 * 1024);

const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await stopAllServers();
});

/**
 * The server's event-stream responses, observed (not changed) as they start, so the test can see
 * how many bytes a watcher has left unread on the server.
 */
function observeStreams(): ServerResponse[] {
  const streams: ServerResponse[] = [];
  const writeHead = ServerResponse.prototype.writeHead;
  const observed = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    const headers = args.find(
      (arg) => typeof arg === 'object' && arg !== null && !Array.isArray(arg),
    );
    if (
      String((headers as Record<string, unknown>)?.['content-type']).startsWith('text/event-stream')
    )
      streams.push(this);
    return writeHead.apply(this, args);
  };
  ServerResponse.prototype.writeHead = observed as typeof writeHead;
  onTestFinished(() => void (ServerResponse.prototype.writeHead = writeHead));
  return streams;
}

/** A raw socket with `request` sent, once `ready` appears in what it has received. */
async function rawSocket(server: RunningServer, request: string, ready: string) {
  const socket = net.connect(server.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  socket.write(request);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  await waitUntil(() => text.includes(ready), ready);
  return { socket, text: () => text };
}

/**
 * A WebSocket connection of `app` that never answers a close frame, so the server learns it has
 * gone (and tells the console) only when the test drops it.
 */
const connection = (server: RunningServer, app: { key: string }) =>
  rawSocket(
    server,
    `GET /app/${app.key}?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    'connection_established',
  );

/** The app's feed on a raw socket. */
function watcher(server: RunningServer, app: typeof LIVE) {
  const path = `/apps/${app.id}/console`;
  const query = `auth_key=${app.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0`;
  const signature = createHmac('sha256', app.secret).update(`GET\n${path}\n${query}`).digest('hex');
  const request = `GET ${path}?${query}&auth_signature=${signature} HTTP/1.1\r\nHost: x\r\n\r\n`;
  return rawSocket(server, request, ': watching');
}

const publish = (server: RunningServer, app: typeof LIVE | typeof OTHER, name: string, data = '') =>
  signedRequest(server.httpUrl, {
    path: `/apps/${app.id}/events`,
    key: app.key,
    secret: app.secret,
    body: JSON.stringify({ name, channel: 'c', data }),
  });

describe('a slow console watcher whose app is revoked', () => {
  it.each([
    ['its secret is rotated', { secret: 'rotated-secret' }],
    ['it is disabled', { enabled: false }],
  ])('is cut off without crashing the server when %s', async (_, change) => {
    const streams = observeStreams();
    const apps = new ChangingAppStore([LIVE, OTHER]);
    const server = await startTestServer({}, { apps });
    const leaving = await connection(server, LIVE);
    const feed = await watcher(server, LIVE);
    const response = streams[0]!;
    // The watcher stops reading; entries go on until the kernel's buffers are full and the
    // server holds a few unsent bytes of its feed (well under the feed's 1 MiB limit).
    feed.socket.pause();
    await waitUntil(
      async () => (await publish(server, LIVE, 'fill', ENTRY)) && response.writableLength > 0,
      'unsent bytes on the server',
      20_000,
    );
    apps.change(LIVE.id, change);
    await waitUntil(() => response.writableEnded, 'the end of the feed');
    // An entry for the ended feed: a connection of the app goes away.
    const connections = server.connections();
    leaving.socket.destroy();
    await waitUntil(() => server.connections() < connections, 'the server to see it go');

    expect((await publish(server, OTHER, 'still-here')).status).toBe(200);
    feed.socket.resume();
    await waitUntil(() => feed.text().endsWith('\r\n0\r\n\r\n'), 'the rest of the feed');
    expect(feed.text()).not.toContain('"name":"disconnected"');
  });
});
