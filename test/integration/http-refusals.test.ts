/**
 * Every refusal of the HTTP API, with raw signed requests: the status, a message naming what is
 * wrong, and a server that still publishes afterwards.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startTestServer } from '../helpers/server.ts';
import { signedRequest, signedTarget, type RawRequest } from '../helpers/signed-request.ts';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer({
    metrics: true,
    maxHttpBodyBytes: 64 * 1024,
    httpBodyTimeoutMs: 300,
    apps: [
      { id: 'app-id', key: 'app-key', secret: 'app-secret' },
      { id: 'other-id', key: 'other-key', secret: 'other-secret' },
      { id: 'off-id', key: 'off-key', secret: 'off-secret', enabled: false },
    ],
  });
});
afterAll(async () => server.stop());

const send = (request: RawRequest) => signedRequest(server.httpUrl, request);
const event = (fields: Record<string, unknown>) =>
  JSON.stringify({ name: 'ev', data: '{}', channel: 'ch', ...fields });
const EVENTS = '/apps/app-id/events';

async function expectStillServing() {
  const ok = await send({ path: EVENTS, body: event({}) });
  expect(ok.status).toBe(200);
}

describe('HTTP API refusals', () => {
  it.each([
    ['a body that is not JSON', '{"name":', /not valid JSON/],
    ['a body that is a JSON array', '[]', /JSON object/],
    [
      'a body nested 6,000 deep',
      `{"name":"ev","channel":"ch","info":${'['.repeat(6000)}${']'.repeat(6000)}}`,
      /^Request body is nested more than 64 levels deep/,
    ],
    ['a missing name', JSON.stringify({ data: 'x', channel: 'c' }), /^name/],
    ['a name that is not a string', event({ name: 5 }), /^name/],
    ['a name longer than 200 characters', event({ name: 'e'.repeat(201) }), /^name: .*200/],
    ['a reserved pusher: name', event({ name: 'pusher:subscribe' }), /reserved/],
    ['data that is not a string', event({ data: { a: 1 } }), /^data: must be a string/],
    ['a missing channel', JSON.stringify({ name: 'ev', data: 'x' }), /^channel: required/],
    ['channels that is not an array', event({ channel: undefined, channels: 'a' }), /^channels/],
    [
      'an empty channels list',
      event({ channel: undefined, channels: [] }),
      /^channels: must not be empty/,
    ],
    [
      'more than 100 channels',
      event({ channel: undefined, channels: Array.from({ length: 101 }, (_, i) => `c${i}`) }),
      /at most 100/,
    ],
    ['a channel name with a space', event({ channel: 'a b' }), /^channels: "a b"/],
    [
      'a channel name longer than 164 characters',
      event({ channel: 'c'.repeat(165) }),
      /longer than 164/,
    ],
    [
      'an encrypted channel among several',
      event({ channel: undefined, channels: ['private-encrypted-a', 'b'] }),
      /encrypted/,
    ],
    ['a malformed socket_id', event({ socket_id: '1.2.3' }), /^socket_id/],
  ])('answers 400 naming the field for %s', async (_what, body, message) => {
    const response = await send({ path: EVENTS, body });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(message) });
    await expectStillServing();
  });

  it('answers 400 for a batch of more than 10 events', async () => {
    const batch = Array.from({ length: 11 }, () => ({ name: 'ev', data: 'x', channel: 'c' }));
    const response = await send({
      path: '/apps/app-id/batch_events',
      body: JSON.stringify({ batch }),
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'batch: at most 10 events per call' });
  });

  it('answers 400 naming the item of a batch with a bad event', async () => {
    const batch = [
      { name: 'ev', data: 'x', channel: 'c' },
      { name: 'ev', data: 1, channel: 'c' },
    ];
    const response = await send({
      path: '/apps/app-id/batch_events',
      body: JSON.stringify({ batch }),
    });
    expect(response).toMatchObject({
      status: 400,
      body: { error: 'batch[1].data: must be a string' },
    });
  });

  it('answers 413 when data is over the payload limit', async () => {
    const response = await send({ path: EVENTS, body: event({ data: 'x'.repeat(10_241) }) });
    expect(response).toMatchObject({
      status: 413,
      body: { error: 'data: larger than 10240 bytes' },
    });
    await expectStillServing();
  });

  it('accepts data of exactly the payload limit', async () => {
    expect((await send({ path: EVENTS, body: event({ data: 'x'.repeat(10_240) }) })).status).toBe(
      200,
    );
  });

  it('answers 413 when the body is over the hard cap', async () => {
    const response = await send({ path: EVENTS, body: event({ data: 'x'.repeat(70 * 1024) }) });
    expect(response.status).toBe(413);
    await expectStillServing();
  });

  it('answers 401 for an unknown key', async () => {
    const response = await send({ path: EVENTS, body: event({}), key: 'nobody' });
    expect(response).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/auth_key/) },
    });
  });

  it('answers 401 for the key of another app', async () => {
    const response = await send({
      path: EVENTS,
      body: event({}),
      key: 'other-key',
      secret: 'other-secret',
    });
    expect(response).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/auth_key/) },
    });
  });

  it('answers 401 for a timestamp more than 600 s old', async () => {
    const response = await send({
      path: EVENTS,
      body: event({}),
      timestamp: Math.floor(Date.now() / 1000) - 700,
    });
    expect(response).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/^Timestamp expired/) },
    });
  });

  it('answers 401 for a timestamp more than 600 s ahead', async () => {
    const response = await send({
      path: EVENTS,
      body: event({}),
      timestamp: Math.floor(Date.now() / 1000) + 700,
    });
    expect(response.status).toBe(401);
  });

  it('answers 401 for a body_md5 that does not match the body', async () => {
    const response = await send({
      path: EVENTS,
      body: event({}),
      signedBody: event({ name: 'other' }),
    });
    expect(response).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/body_md5/) },
    });
  });

  it('answers 401 for a bad signature', async () => {
    const response = await send({ path: EVENTS, body: event({}), secret: 'wrong-secret' });
    expect(response).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/signature/) },
    });
  });

  it('answers 403 for a disabled app', async () => {
    const response = await send({
      path: '/apps/off-id/events',
      body: event({}),
      key: 'off-key',
      secret: 'off-secret',
    });
    expect(response).toMatchObject({ status: 403, body: { error: 'Application is disabled' } });
  });

  it('answers 404 for an unknown app', async () => {
    expect((await send({ path: '/apps/nope/events', body: event({}) })).status).toBe(404);
  });

  it('answers 404 for an unknown path of a known app', async () => {
    expect((await send({ path: '/apps/app-id/nothing-here' })).status).toBe(404);
  });

  it('answers 404 for a path outside the API', async () => {
    expect((await fetch(`${server.httpUrl}/no/such/path`)).status).toBe(404);
  });

  it('answers 400 for user_count on a non-presence channel', async () => {
    const response = await send({
      path: '/apps/app-id/channels/public',
      params: { info: 'user_count' },
    });
    expect(response).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/presence/) },
    });
  });

  it('answers 400 for user_count without the presence- prefix filter', async () => {
    const response = await send({ path: '/apps/app-id/channels', params: { info: 'user_count' } });
    expect(response.status).toBe(400);
  });

  it('answers 400 for a channel name with a malformed %-escape', async () => {
    const response = await send({ path: '/apps/app-id/channels/%E0%A4%A' });
    expect(response).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/%-escape/) },
    });
  });

  it('answers 400 for users of a non-presence channel', async () => {
    expect((await send({ path: '/apps/app-id/channels/private-x/users' })).status).toBe(400);
  });

  it('answers 408 and frees the socket when a body never finishes', async () => {
    // Signed: an unsigned request is answered before its body is read (unsigned-body.test.ts).
    const { target } = signedTarget({ path: EVENTS, body: event({ data: 'x'.repeat(60) }) });
    const status = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"na`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    });
    expect(status).toBe('HTTP/1.1 408 Request Timeout');
    await expectStillServing();
  });
});

describe('health and readiness', () => {
  it('answers 200 on GET /', async () => {
    expect((await fetch(`${server.httpUrl}/`)).status).toBe(200);
  });

  it('answers GET /up exactly as GET /, the path Laravel users probe', async () => {
    const [root, up] = await Promise.all(
      ['/', '/up'].map(async (path) => {
        const response = await fetch(`${server.httpUrl}${path}`);
        return { status: response.status, body: await response.json() };
      }),
    );
    expect(up).toEqual(root);
    expect(up).toEqual({ status: 200, body: { ok: true, server: 'pushwire' } });
  });

  it('answers 200 on GET /ready while serving', async () => {
    expect((await fetch(`${server.httpUrl}/ready`)).status).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(text).toContain('pushwire_connections');
  });
});

describe('readiness during shutdown', () => {
  it('answers 503 on GET /ready and refuses new connections with 4100 while draining', async () => {
    const draining = await startTestServer({ shutdownTimeoutMs: 3000 });
    // A peer that never answers the close handshake keeps the server draining for a while.
    const socket = net.connect(draining.port, '127.0.0.1');
    socket.write(
      'GET /app/app-key?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => socket.once('data', resolve));
    const stopped = draining.stop();
    const ready = await fetch(`${draining.httpUrl}/ready`);
    expect(ready.status).toBe(503);
    // A connection arriving now is told to back off (4100), not to come straight back (4200).
    const late = await RawClient.open(`${draining.wsUrl}/app/app-key?protocol=7`);
    expect(await late.waitForEvent('pusher:error')).toMatchObject({ data: { code: 4100 } });
    expect((await late.closed).code).toBe(4100);
    socket.destroy();
    await stopped;
  });
});
