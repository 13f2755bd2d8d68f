/**
 * Dispatchers sharing one queue act as the nodes of a cluster: what one node queued, another
 * sends when the first is gone, once. (The multi-process version, on a real Redis, is
 * test/scaling/webhook-failover.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { StaticAppStore } from '../apps/app-store.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';
import { appSchema } from '../config/schema.ts';
import { FakeScheduler } from '../../test/helpers/fake-scheduler.ts';
import { sharedMemoryQueue } from '../../test/helpers/shared-memory-queue.ts';
import { WebhookDispatcher, type WebhookSender } from './dispatcher.ts';

const app = appSchema.parse({
  id: 'a',
  key: 'k',
  secret: 's',
  webhooks: [{ url: 'http://hooks.test/in' }],
});
const removed: ChannelEvent = {
  name: 'member_removed',
  appId: 'a',
  channel: 'presence-x',
  userId: 'u',
};
const occupied: ChannelEvent = { name: 'channel_occupied', appId: 'a', channel: 'room' };

function cluster() {
  const scheduler = new FakeScheduler();
  const { queue } = sharedMemoryQueue();
  const posted: Array<{ node: string; names: string[] }> = [];
  const node = (name: string, send?: WebhookSender) =>
    new WebhookDispatcher({
      apps: new StaticAppStore([app]),
      queue,
      scheduler,
      removalDelayMs: 3000,
      leaseMs: 2000,
      pollMs: 500,
      send:
        send ??
        (async (_url, body) => {
          const { events } = JSON.parse(body) as { events: Array<{ name: string }> };
          posted.push({ node: name, names: events.map((e) => e.name) });
          return 200;
        }),
    });
  return { scheduler, posted, node };
}

describe('WebhookDispatcher on a shared queue', () => {
  it('sends a removal held by a node that is gone, after the hold, from another node', async () => {
    const { scheduler, posted, node } = cluster();
    const doomed = node('doomed');
    const survivor = node('survivor');
    doomed.sink(removed);
    await scheduler.advance(0);
    void doomed.close();
    await scheduler.advance(2999);
    expect(posted).toEqual([]);
    await scheduler.advance(501);
    expect(posted).toEqual([{ node: 'survivor', names: ['member_removed'] }]);
    await survivor.close();
  });

  it('sends, once, a webhook whose node died while posting it, after the lease', async () => {
    const { scheduler, posted, node } = cluster();
    // This node's request never ends: it died with the request in flight.
    const doomed = node('doomed', () => new Promise<number>(() => undefined));
    doomed.sink(occupied);
    await scheduler.advance(0);
    void doomed.close();
    const survivor = node('survivor');
    await scheduler.advance(1999);
    expect(posted).toEqual([]);
    await scheduler.advance(501);
    expect(posted).toEqual([{ node: 'survivor', names: ['channel_occupied'] }]);
    await scheduler.advance(10_000);
    expect(posted).toHaveLength(1);
    await survivor.close();
  });

  it('sends a webhook once when every node polls for it', async () => {
    const { scheduler, posted, node } = cluster();
    const nodes = [node('one'), node('two'), node('three')];
    nodes[0]!.sink(occupied);
    await scheduler.advance(10_000);
    expect(posted).toHaveLength(1);
    await Promise.all(nodes.map((n) => n.close()));
  });
});
