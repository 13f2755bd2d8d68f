/**
 * A subscriber that stops reading must not grow the server's memory without bound: once its
 * unsent bytes pass `maxBufferedBytes` it is closed with 4100 and counted in `slowConsumers`,
 * while a subscriber that keeps reading on the same channel gets every event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAdapter } from '../../src/adapter/local.ts';
import { channelEvent } from '../../src/protocol/frames.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { startTestServer } from '../helpers/server.ts';
import { connect, subscribe, until } from './perf-client.ts';

const CAP = 256 * 1024;
const EVENT_BYTES = 8 * 1024;
/** Far more than the cap plus what loopback socket buffers can absorb (a few MB). */
const MAX_PUBLISHED_BYTES = 200 * 1024 * 1024;
/** Generous for a loaded CI machine; each test takes 1–3 s here. */
const TIMEOUT_MS = 40_000;

let server: RunningServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const counterValue = async (server: RunningServer) =>
  (await server.metrics.slowConsumers.get()).values[0]?.value ?? 0;

describe('slow consumer', () => {
  it(
    'closes a subscriber that stops reading once its buffer passes maxBufferedBytes',
    async () => {
      const adapter = new LocalAdapter();
      server = await startTestServer({ maxBufferedBytes: CAP }, { adapter });
      const appId = server.config.apps[0]!.id;
      const slow = await connect(server.wsUrl);
      const healthy = await connect(server.wsUrl);
      await subscribe(slow, 'ticker');
      await subscribe(healthy, 'ticker');
      // Stop reading: the kernel buffers fill, then the server's send buffer backs up.
      slow.ws.pause();

      const data = 'x'.repeat(EVENT_BYTES);
      let published = 0;
      const closedBySlowConsumer = await until(async () => {
        if (server!.connections() < 2) return true;
        if (published * EVENT_BYTES > MAX_PUBLISHED_BYTES) throw new Error('never detected');
        // One frame per publish, serialized once and shared by both sockets.
        for (let i = 0; i < 32; i++, published++) {
          adapter.publish(appId, 'ticker', channelEvent('tick', 'ticker', data));
        }
        return false;
      }, 15_000);

      // Dropped on the server side even though it never reads again (so it cannot see the close).
      expect(closedBySlowConsumer).toBe(true);
      expect(await counterValue(server)).toBe(1);
      // Bounded: the server never held much more than the cap for it, so the rest never left.
      expect(published * EVENT_BYTES).toBeGreaterThan(CAP);
      // The reading subscriber is unaffected and receives every event.
      expect(await until(() => healthy.events === published, 10_000)).toBe(true);
      expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
      healthy.ws.close();
      slow.ws.terminate();
    },
    TIMEOUT_MS,
  );

  it(
    'sends 4100 to a slow consumer that resumes reading in time',
    async () => {
      const adapter = new LocalAdapter();
      server = await startTestServer({ maxBufferedBytes: CAP }, { adapter });
      const appId = server.config.apps[0]!.id;
      const slow = await connect(server.wsUrl);
      await subscribe(slow, 'ticker');
      slow.ws.pause();
      const data = 'x'.repeat(EVENT_BYTES);
      let published = 0;
      const detected = await until(async () => {
        if ((await counterValue(server!)) > 0) return true;
        if (published * EVENT_BYTES > MAX_PUBLISHED_BYTES) throw new Error('never detected');
        for (let i = 0; i < 32; i++, published++) {
          adapter.publish(appId, 'ticker', channelEvent('tick', 'ticker', data));
        }
        return false;
      }, 15_000);
      expect(detected).toBe(true);
      // Reading again right away drains the backlog, then the error and close frames.
      slow.ws.resume();
      const code = await slow.closed;
      expect([4100, 1006]).toContain(code);
    },
    TIMEOUT_MS,
  );

  it(
    'does not count one turn of a burst against a subscriber that keeps reading',
    async () => {
      const adapter = new LocalAdapter();
      server = await startTestServer({ maxBufferedBytes: CAP }, { adapter });
      const appId = server.config.apps[0]!.id;
      const reader = await connect(server.wsUrl);
      await subscribe(reader, 'burst');
      const data = 'x'.repeat(EVENT_BYTES);
      // Twice the cap in one synchronous turn: all of it is still corked when the last is queued.
      const burst = Math.ceil((2 * CAP) / EVENT_BYTES);
      for (let i = 0; i < burst; i++) {
        adapter.publish(appId, 'burst', channelEvent('tick', 'burst', data));
      }
      expect(await until(() => reader.events === burst, 10_000)).toBe(true);
      expect(await counterValue(server)).toBe(0);
      expect(reader.ws.readyState).toBe(reader.ws.OPEN);
      reader.ws.close();
    },
    TIMEOUT_MS,
  );
});
