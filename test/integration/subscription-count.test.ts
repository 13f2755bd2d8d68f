/**
 * `pusher_internal:subscription_count` on a busy channel: above 100 subscribers it is throttled
 * to one every 5 s, and the count a burst ends at still reaches every subscriber.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';

afterEach(async () => {
  await closeAllRawClients();
  await stopAllServers();
});

const countOf = (frame: { data?: unknown }) =>
  (JSON.parse(String(frame.data)) as { subscription_count: number }).subscription_count;

describe('subscription_count', () => {
  it('reaches subscribers with the final count of a burst past 100, after the throttle interval', async () => {
    const server = await startProtocolServer({
      apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true }],
    });
    const clients = await Promise.all(
      Array.from({ length: 103 }, () => RawClient.connect(server.wsUrl)),
    );
    for (const client of clients) {
      client.subscribe('crowd');
      await client.waitForEvent('pusher_internal:subscription_succeeded', 'crowd');
    }
    // 101 was announced at once; 102 and 103 came inside the 5 s that followed.
    const last = await clients[0]!.waitFor(
      (frame) => frame.event === 'pusher_internal:subscription_count' && countOf(frame) === 103,
      8_000,
    );
    expect(countOf(last)).toBe(103);
  }, 15_000);
});
