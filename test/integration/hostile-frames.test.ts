/**
 * Frames an attacker would send, over a real socket, with the server's real pino logger: each
 * is answered as documented, the log stays small, and the server keeps serving everyone else.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAdapter } from '../../src/adapter/local.ts';
import { DEFAULT_APP } from '../../src/config/schema.ts';
import type { OutboundFrame } from '../../src/protocol/frames.ts';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { sdk } from '../helpers/sdk.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  await closeAllRawClients();
  await stopAllServers();
});

/** A debug-level pino logger whose lines are kept, parsed, in `lines`. */
function capturedLogger() {
  const lines: { level: number; msg: string; err?: { stack?: string } }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const WARN = 40;

async function subscribedPrivate(wsUrl: string, channel: string): Promise<RawClient> {
  const client = await RawClient.connect(wsUrl);
  client.subscribe(channel, sdk.authorizeChannel(client.socketId, channel));
  await client.waitForEvent('pusher_internal:subscription_succeeded', channel);
  return client;
}

describe('hostile frames', () => {
  it('answers 2,000 client events nested 6,000 deep with errors, and logs nothing above debug', async () => {
    const { logger, lines } = capturedLogger();
    const server = await startTestServer({ logLevel: 'debug' }, { logger });
    const attacker = await subscribedPrivate(server.wsUrl, 'private-room');
    const bystander = await subscribedPrivate(server.wsUrl, 'private-room');
    const deep = `${'['.repeat(6000)}${']'.repeat(6000)}`;
    const frame = `{"event":"client-x","channel":"private-room","data":${deep}}`;
    for (let i = 0; i < 2000; i++) attacker.send(frame);
    await waitUntil(
      () => attacker.frames.filter((f) => f.event === 'pusher:error').length >= 2000,
      '2,000 error replies',
    );

    const errors = attacker.frames.filter((f) => f.event === 'pusher:error');
    expect(new Set(errors.map((f) => JSON.stringify(f.data)))).toEqual(
      new Set([
        JSON.stringify({ code: null, message: 'frame is nested more than 64 levels deep' }),
      ]),
    );
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
    expect(lines.filter((l) => l.msg === 'client frame refused').length).toBeLessThanOrEqual(50);
    expect(lines.some((l) => l.err?.stack)).toBe(false);

    // Everyone else is still served, the attacker included.
    attacker.send({ event: 'client-ok', channel: 'private-room', data: { fine: true } });
    const relayed = await bystander.waitForEvent('client-ok', 'private-room');
    expect(relayed.data).toEqual({ fine: true });
    await (await RawClient.connect(server.wsUrl)).barrier();
  });

  it('logs an internal error a client can provoke on every frame within a budget', async () => {
    class FailingAdapter extends LocalAdapter {
      override publish(appId: string, channel: string, frame: OutboundFrame, except?: string) {
        if (frame.text.includes('client-boom')) throw new Error('publish failed');
        super.publish(appId, channel, frame, except);
      }
    }
    const { logger, lines } = capturedLogger();
    const app = { ...DEFAULT_APP, maxClientEventsPerSecond: 100_000 };
    const server = await startTestServer(
      { logLevel: 'debug', apps: [app] },
      { logger, adapter: new FailingAdapter() },
    );
    const client = await subscribedPrivate(server.wsUrl, 'private-room');
    for (let i = 0; i < 500; i++) {
      client.send({ event: 'client-boom', channel: 'private-room', data: { i } });
    }
    await client.barrier();

    expect(client.frames.filter((f) => f.event === 'pusher:error')).toHaveLength(500);
    const errorLines = lines.filter((l) => l.msg === 'error in message handler');
    expect(errorLines.length).toBeGreaterThan(0);
    expect(errorLines.length).toBeLessThanOrEqual(20);
  });
});
