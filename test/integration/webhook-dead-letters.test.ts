/**
 * A webhook whose retries run out is kept as a dead letter: the signed HTTP API and
 * `pushwire webhooks` list it and redeliver it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiCommand } from '../../src/tools/api/command.ts';
import { startHarness, type Harness } from '../helpers/api-harness.ts';
import { subscribeAndWait as subscribed } from '../helpers/pusher-client.ts';
import { waitUntil } from '../helpers/wait.ts';

let harness: Harness | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await harness?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

/** A receiver that answers `status()` and records the events of each request. */
async function startReceiver(status: () => number) {
  const received: Array<{ name: string; channel: string }> = [];
  const requests = { count: 0 };
  receiver = createServer((req, res) => {
    requests.count++;
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const code = status();
      if (code < 300) received.push(...(JSON.parse(body) as { events: typeof received }).events);
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  return { url, received, requests };
}

interface Letter {
  id: string;
  url: string;
  events: Array<{ name: string; channel: string }>;
  attempts: number;
  last_error: string;
  queued_at_ms: number;
  failed_at_ms: number;
}

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await apiCommand('webhooks', args, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  return { code, out, err };
}

describe('webhook dead letters', () => {
  async function deadLetter() {
    let refusing = true;
    const { url, received, requests } = await startReceiver(() => (refusing ? 500 : 200));
    harness = await startHarness({
      webhookFirstRetryMs: 20,
      webhookRetryForMs: 400,
      apps: [{ id: '1', key: 'app-key', secret: 'app-secret', webhooks: [{ url }] }],
    });
    await subscribed(await harness.client(), 'orders');
    const letters = await waitUntil(async () => {
      const response = await harness!.sdk.get({ path: '/webhooks/dead_letters' });
      const body = (await response.json()) as { dead_letters: Letter[] };
      return body.dead_letters.length > 0 && body.dead_letters;
    }, 'the dead letter');
    return { url, received, requests, letters, accept: () => (refusing = false) };
  }

  it('lists a webhook whose retries ran out, with its events and last error', async () => {
    const { url, letters, requests } = await deadLetter();
    expect(letters).toEqual([
      {
        id: expect.any(String),
        url,
        events: [{ name: 'channel_occupied', channel: 'orders' }],
        // Every request made: at 0, 20, 60, 140 ms as timers allow, none past the 400 ms window.
        attempts: requests.count,
        last_error: 'answered 500',
        queued_at_ms: expect.any(Number),
        failed_at_ms: expect.any(Number),
      },
    ]);
  });

  it('counts the attempts by outcome in /metrics', async () => {
    const { letters } = await deadLetter();
    const metrics = await (await fetch(`${harness!.server.httpUrl}/metrics`)).text();
    expect(metrics).toContain('pushwire_webhook_attempts_total{outcome="dead-lettered"} 1');
    expect(metrics).toContain(
      `pushwire_webhook_attempts_total{outcome="retrying"} ${letters[0]!.attempts - 1}`,
    );
  });

  it('redelivers a dead letter once through the API', async () => {
    const { received, letters, accept } = await deadLetter();
    accept();
    const path = `/webhooks/dead_letters/${letters[0]!.id}/redeliver`;
    // The SDK stringifies the body itself, though its types say string.
    const first = await harness!.sdk.post({ path, body: {} as unknown as string });
    expect(first.status).toBe(200);
    await waitUntil(() => received.length === 1, 'the redelivered webhook');
    expect(received).toEqual([{ name: 'channel_occupied', channel: 'orders' }]);
    await expect(harness!.sdk.post({ path, body: {} as unknown as string })).rejects.toMatchObject({
      status: 404,
    });
    const after = await harness!.sdk.get({ path: '/webhooks/dead_letters' });
    expect(await after.json()).toEqual({ dead_letters: [] });
  });

  it('lists and redelivers with pushwire webhooks', async () => {
    const { received, letters, accept } = await deadLetter();
    const target = [
      '--url',
      `pushwire://app-key:app-secret@127.0.0.1:${harness!.server.port}/apps/1`,
    ];
    const listed = await cli(['dead-letters', ...target]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(letters[0]!.id);
    expect(listed.out).toContain('"last_error": "answered 500"');
    accept();
    const redelivered = await cli(['redeliver', letters[0]!.id, ...target]);
    expect(redelivered).toMatchObject({ code: 0, out: 'HTTP 200\n{}\n' });
    await waitUntil(() => received.length === 1, 'the redelivered webhook');
    const again = await cli(['redeliver', letters[0]!.id, ...target]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('HTTP 404');
  });

  it('refuses an unsigned request and a bad usage', async () => {
    const { url } = await startReceiver(() => 200);
    harness = await startHarness({
      apps: [{ id: '1', key: 'app-key', secret: 'app-secret', webhooks: [{ url }] }],
    });
    const unsigned = await fetch(`${harness.server.httpUrl}/apps/1/webhooks/dead_letters`);
    expect(unsigned.status).toBe(401);
    const { code, err } = await cli(['resend']);
    expect(code).toBe(2);
    expect(err).toContain('Usage: pushwire webhooks dead-letters');
  });
});
