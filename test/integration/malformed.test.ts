import { afterEach, describe, expect, it } from 'vitest';
import { LocalAdapter } from '../../src/adapter/local.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  await closeAllRawClients();
  await stopAllServers();
});

/** A fresh client can connect, subscribe and get a pong: the server is unharmed. */
async function expectServerStillServes(server: RunningServer) {
  const fresh = await RawClient.connect(server.wsUrl);
  fresh.subscribe('after');
  await fresh.waitForEvent('pusher_internal:subscription_succeeded', 'after');
  fresh.send({ event: 'pusher:ping', data: {} });
  await fresh.waitForEvent('pusher:pong');
  await fresh.close();
}

/** The sender itself is still open and answering. */
async function expectStillOpen(client: RawClient) {
  client.send({ event: 'pusher:ping', data: {} });
  await client.waitForEvent('pusher:pong');
  expect(client.isOpen).toBe(true);
}

const error = (message: string) => ({ event: 'pusher:error', data: { code: null, message } });

describe('malformed input over a real socket', () => {
  it.each([
    ['text that is not JSON', 'hello', 'frame is not valid JSON'],
    ['truncated JSON', '{"event":"pusher:subscribe"', 'frame is not valid JSON'],
    ['a JSON array', '["pusher:ping"]', 'frame must be a JSON object'],
    ['a JSON string', '"pusher:ping"', 'frame must be a JSON object'],
    ['a frame without event', '{"data":{"channel":"news"}}', 'frame has no "event" string'],
    ['a numeric event', '{"event":7}', 'frame has no "event" string'],
    [
      'a numeric channel',
      '{"event":"client-x","channel":7,"data":{}}',
      '"channel" must be a string',
    ],
  ])('answers %s with pusher:error code null and keeps serving', async (_what, text, message) => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send(text);
    expect(await client.waitForEvent('pusher:error')).toEqual(error(message));
    await expectStillOpen(client);
    await expectServerStillServes(server);
  });

  it('answers an unknown event with pusher:error code null', async () => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'hello', data: {} });
    expect(await client.waitForEvent('pusher:error')).toEqual(
      error('Unknown event "hello": client events must start with client-'),
    );
    await expectStillOpen(client);
    await expectServerStillServes(server);
  });

  it('ignores an unknown pusher: event ([U] §1.5)', async () => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'pusher:hello', data: {} });
    expect(await client.barrier()).toEqual([]);
  });

  it.each([
    ['a number', 5],
    ['an array', [{ channel: 'news' }]],
    ['a string that is not JSON', 'channel=news'],
    ['null', null],
  ])('answers subscribe data that is %s with pusher:error code null', async (_what, data) => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'pusher:subscribe', data });
    expect(await client.waitForEvent('pusher:error')).toEqual(
      error('Invalid pusher:subscribe: "data" must be an object'),
    );
    await expectStillOpen(client);
    await expectServerStillServes(server);
  });

  it('answers signin data of the wrong type with pusher:error 4009 and stays open', async () => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'pusher:signin', data: 42 });
    expect(await client.waitForEvent('pusher:error')).toEqual({
      event: 'pusher:error',
      data: { code: 4009, message: 'Invalid pusher:signin: "data" must be an object' },
    });
    await expectStillOpen(client);
  });

  it('answers a binary frame with pusher:error code null', async () => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.socket.send(Buffer.from('{"event":"pusher:ping"}'), { binary: true });
    expect(await client.waitForEvent('pusher:error')).toEqual(
      error('Binary frames are not supported'),
    );
    await expectStillOpen(client);
  });

  it.each([
    ['a space', 'bad channel', 'channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;'],
    ['a colon', 'private-a:b', 'channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;'],
    [
      'a non-ASCII letter',
      'news-ü',
      'channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;',
    ],
    ['165 characters', 'a'.repeat(165), 'channel name is longer than 164 characters'],
  ])('refuses a channel name with %s ([U] code null, §16.4)', async (_what, channel, problem) => {
    const server = await startTestServer();
    const client = await RawClient.connect(server.wsUrl);
    client.subscribe(channel);
    expect(await client.waitForEvent('pusher:error')).toEqual(
      error(`Invalid channel name: ${problem}`),
    );
    const between = await client.barrier();
    expect(between).toEqual([]);
    await expectServerStillServes(server);
  });

  it('closes a socket that sends a frame over maxFrameBytes with 1009 and leaves others alone', async () => {
    const server = await startTestServer({ maxFrameBytes: 1_024 });
    const bystander = await RawClient.connect(server.wsUrl);
    bystander.subscribe('news');
    await bystander.waitForEvent('pusher_internal:subscription_succeeded');
    const client = await RawClient.connect(server.wsUrl);
    client.send({ event: 'client-x', channel: 'private-a', data: 'x'.repeat(2_000) });
    expect((await client.closed).code).toBe(1009);
    await expectStillOpen(bystander);
    await waitUntil(() => server.connections() === 1, 'the oversize socket to be forgotten');
    await expectServerStillServes(server);
  });

  it('accepts a frame of exactly maxFrameBytes', async () => {
    const server = await startTestServer({ maxFrameBytes: 1_024 });
    const client = await RawClient.connect(server.wsUrl);
    const frame = JSON.stringify({ event: 'pusher:ping', data: { pad: '' } });
    const padded = frame.replace('"pad":""', `"pad":"${'x'.repeat(1_024 - frame.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(1_024);
    client.send(padded);
    await client.waitForEvent('pusher:pong');
  });
});

describe('load on one server', () => {
  it('survives 1,000 subscribe/unsubscribe cycles on one socket and leaves no channel behind', async () => {
    const adapter = new LocalAdapter();
    const server = await startTestServer({}, { adapter });
    const client = await RawClient.connect(server.wsUrl);
    // One cycle at a time: pusher-js never unsubscribes before the success arrives (§14).
    for (let i = 0; i < 1_000; i++) {
      client.subscribe('cycle');
      await client.waitForEvent('pusher_internal:subscription_succeeded', 'cycle');
      client.send({ event: 'pusher:unsubscribe', data: { channel: 'cycle' } });
    }
    const between = await client.barrier();
    expect(between).toEqual([]);
    expect(client.frames.filter((f) => f.event === 'pusher:error')).toEqual([]);
    expect([...(await adapter.channels('1')).keys()]).toEqual(['barrier-1']);
  });

  it('survives 1,000 subscribe/unsubscribe pairs sent without waiting', async () => {
    const adapter = new LocalAdapter();
    const server = await startTestServer({}, { adapter });
    const client = await RawClient.connect(server.wsUrl);
    for (let i = 0; i < 1_000; i++) {
      client.subscribe('burst');
      client.send({ event: 'pusher:unsubscribe', data: { channel: 'burst' } });
    }
    await client.barrier();
    expect(client.frames.filter((f) => f.event === 'pusher:error')).toEqual([]);
    expect((await adapter.channels('1')).has('burst')).toBe(false);
    await expectServerStillServes(server);
  });

  it('serves again and counts 0 connections after 200 sockets connect and drop at once', async () => {
    const server = await startTestServer();
    const clients = await Promise.all(
      Array.from({ length: 200 }, () => RawClient.connect(server.wsUrl)),
    );
    expect(server.connections()).toBe(200);
    for (const client of clients) client.socket.terminate();
    await waitUntil(() => server.connections() === 0, 'every connection to be released', 15_000);
    await expectServerStillServes(server);
  });
});
