/**
 * Bodies are read only for requests that may use them (issue #9, part 3): an unsigned or
 * mis-signed request is answered from its head, before its body is sent, and the body bytes held
 * across all requests at once are capped (`maxBufferedHttpBodyBytes`, 503 beyond).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { ChangingAppStore } from '../helpers/changing-app-store.ts';
import { startTestServer } from '../helpers/server.ts';
import { signedRequest, signedTarget, type RawRequest } from '../helpers/signed-request.ts';
import { withTimeout } from '../helpers/wait.ts';

const EVENTS = '/apps/app-id/events';
const APPS = [
  { id: 'app-id', key: 'app-key', secret: 'app-secret', maxEventPayloadBytes: 400_000 },
  { id: 'off-id', key: 'off-key', secret: 'off-secret', enabled: false },
];
/** Just under the default `maxHttpBodyBytes`. */
const BIG = 1_000_000;

let server: RunningServer;
let capped: RunningServer;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({ apps: APPS });
  capped = await startTestServer({ apps: APPS, maxBufferedHttpBodyBytes: 300_000 });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all([server.stop(), capped.stop()]);
});

/** An event body of exactly `bytes` bytes. */
const eventOf = (bytes: number) => {
  const empty = JSON.stringify({ name: 'ev', channel: 'ch', data: '' });
  return JSON.stringify({ name: 'ev', channel: 'ch', data: 'x'.repeat(bytes - empty.length) });
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** Interim (1xx) statuses received before the answer. */
  readonly interim: number[];
}

/** A raw HTTP/1.1 connection: what the test writes goes out as is, and answers are parsed. */
function rawHttp(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  let received = '';
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    wake();
  });
  const interim: number[] = [];
  /** The next complete answer, 1xx interim answers noted on the way. */
  const answer = async (): Promise<Answer> => {
    for (;;) {
      const parsed = parseAnswer(received);
      if (parsed && parsed.status < 200) {
        interim.push(parsed.status);
        received = received.slice(parsed.length);
        continue;
      }
      if (parsed) {
        received = received.slice(parsed.length);
        return { status: parsed.status, headers: parsed.headers, body: parsed.body, interim };
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { socket, answer: () => withTimeout(answer(), 'an answer', 3_000), interim };
}

function parseAnswer(text: string) {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = text.slice(end + 4);
  let body = '';
  let length = end + 4;
  if (status < 200) return { status, headers, body: undefined, length };
  if (headers['transfer-encoding'] === 'chunked') {
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1) return undefined;
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
      length += lineEnd + 2 + size + 2;
      if (size === 0) break;
    }
  } else {
    const size = Number(headers['content-length'] ?? 0);
    if (rest.length < size) return undefined;
    body = rest.slice(0, size);
    length += size;
  }
  return { status, headers, body: body === '' ? undefined : JSON.parse(body), length };
}

const head = (method: string, target: string, length: number, extra = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

const signed = (request: RawRequest) => signedTarget(request).target;
const body = eventOf(BIG);

async function expectStillServing(on: RunningServer) {
  expect((await signedRequest(on.httpUrl, { path: EVENTS, body: eventOf(1_000) })).status).toBe(
    200,
  );
}

describe('a request answered from its head', () => {
  it.each([
    ['unsigned', 'POST', EVENTS, 401, /^Missing auth_key/],
    [
      'signed with the wrong secret',
      'POST',
      signed({ path: EVENTS, body, secret: 'guess' }),
      401,
      /^Invalid signature/,
    ],
    [
      'signed without a body_md5',
      'POST',
      signed({ path: EVENTS, method: 'POST' }),
      401,
      /^Missing body_md5/,
    ],
    [
      'signed too long ago',
      'POST',
      signed({ path: EVENTS, body, timestamp: 1 }),
      401,
      /^Timestamp expired/,
    ],
    ['for an unknown app', 'POST', '/apps/nobody/events', 404, /Unknown app/],
    [
      'for a disabled app',
      'POST',
      signed({ path: '/apps/off-id/events', body, key: 'off-key', secret: 'off-secret' }),
      403,
      /disabled/,
    ],
    ['outside the API', 'POST', '/', 404, /Not found/],
  ])(
    'is refused before its 1 MB body is sent when %s',
    async (_, method, target, status, error) => {
      const client = rawHttp(server.port);
      client.socket.write(head(method, target, Buffer.byteLength(body)));
      expect(await client.answer()).toMatchObject({
        status,
        body: { error: expect.stringMatching(error) },
      });
      await expectStillServing(server);
    },
  );

  it('never asks a refused request for its body (Expect: 100-continue)', async () => {
    const client = rawHttp(server.port);
    client.socket.write(head('POST', EVENTS, BIG, 'Expect: 100-continue\r\n'));
    expect(await client.answer()).toMatchObject({ status: 401, interim: [] });
  });

  it('asks a signed request for its body (Expect: 100-continue) and publishes it', async () => {
    const client = rawHttp(server.port);
    const event = eventOf(300_000);
    client.socket.write(
      head('POST', signed({ path: EVENTS, body: event }), 300_000, 'Expect: 100-continue\r\n'),
    );
    await withTimeout(new Promise((resolve) => client.socket.once('data', resolve)), '100');
    client.socket.write(event);
    expect(await client.answer()).toMatchObject({ status: 200, interim: [100] });
  });

  it('checks the body it then reads against the signed body_md5', async () => {
    const client = rawHttp(server.port);
    const target = signed({ path: EVENTS, body: eventOf(2_000), signedBody: eventOf(2_001) });
    client.socket.write(head('POST', target, 2_000) + eventOf(2_000));
    expect(await client.answer()).toMatchObject({
      status: 401,
      body: { error: expect.stringMatching(/^Invalid body_md5/) },
    });
  });
});

describe('a request whose app changes while its body arrives', () => {
  it('is checked against the app as it is once the body is in (a rotated secret: 401)', async () => {
    const apps = new ChangingAppStore(APPS);
    const changing = await startTestServer({}, { apps });
    try {
      const event = eventOf(2_000);
      const client = rawHttp(changing.port);
      client.socket.write(head('POST', signed({ path: EVENTS, body: event }), 2_000));
      client.socket.write(event.slice(0, 100));
      await new Promise((resolve) => setTimeout(resolve, 100));
      apps.change('app-id', { secret: 'rotated-secret' });
      client.socket.write(event.slice(100));
      expect(await client.answer()).toMatchObject({
        status: 401,
        body: { error: expect.stringMatching(/^Invalid signature/) },
      });
    } finally {
      await changing.stop();
    }
  });
});

describe('maxBufferedHttpBodyBytes', () => {
  it('answers 503 with Retry-After past the bytes held for all requests, and serves after', async () => {
    const first = eventOf(200_000);
    const holding = rawHttp(capped.port);
    holding.socket.write(head('POST', signed({ path: EVENTS, body: first }), 200_000));
    holding.socket.write(first.slice(0, 1_000));
    // Let the first request's head be screened and its body counted before the second arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const second = eventOf(150_000);
    const refused = rawHttp(capped.port);
    refused.socket.write(head('POST', signed({ path: EVENTS, body: second }), 150_000));
    expect(await refused.answer()).toMatchObject({
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: { error: expect.stringMatching(/busy/) },
    });

    holding.socket.write(first.slice(1_000));
    expect(await holding.answer()).toMatchObject({ status: 200 });
    // The first body's bytes are given back once it has been handled.
    expect((await signedRequest(capped.httpUrl, { path: EVENTS, body: second })).status).toBe(200);
  });
});
