import { describe, expect, it } from 'vitest';
import { StaticAppStore } from '../apps/app-store.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';
import { appSchema, type WebhookTarget } from '../config/schema.ts';
import { FakeScheduler } from '../../test/helpers/fake-scheduler.ts';
import { WebhookDispatcher } from './dispatcher.ts';

interface Posted {
  url: string;
  events: Array<Record<string, unknown>>;
}

function setup(
  targets: Array<Partial<WebhookTarget>>,
  statuses: number[] = [],
  extra: {
    stillGone?: (event: ChannelEvent) => Promise<boolean>;
    maxPendingPerTarget?: number;
  } = {},
) {
  const scheduler = new FakeScheduler();
  const posted: Posted[] = [];
  const app = appSchema.parse({
    id: 'a',
    key: 'k',
    secret: 's',
    webhooks: targets.map((t) => ({ url: 'http://hooks.test/in', ...t })),
  });
  const dispatcher = new WebhookDispatcher({
    apps: new StaticAppStore([app]),
    scheduler,
    removalDelayMs: 3000,
    ...extra,
    send: async (url, body) => {
      posted.push({ url, events: (JSON.parse(body) as { events: Posted['events'] }).events });
      return statuses.shift() ?? 200;
    },
  });
  return { scheduler, posted, sink: dispatcher.sink, dispatcher };
}

const occupied: ChannelEvent = { name: 'channel_occupied', appId: 'a', channel: 'room' };
const vacated: ChannelEvent = { name: 'channel_vacated', appId: 'a', channel: 'room' };
const added: ChannelEvent = {
  name: 'member_added',
  appId: 'a',
  channel: 'presence-x',
  userId: 'u',
};
const removed: ChannelEvent = {
  name: 'member_removed',
  appId: 'a',
  channel: 'presence-x',
  userId: 'u',
};
const names = (posted: Posted[]) => posted.flatMap((p) => p.events.map((e) => e.name));

describe('WebhookDispatcher', () => {
  it('posts channel_occupied at once', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink(occupied);
    await scheduler.advance(0);
    expect(posted).toEqual([
      { url: 'http://hooks.test/in', events: [{ name: 'channel_occupied', channel: 'room' }] },
    ]);
  });

  it('posts channel_vacated only after the removal delay', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink(vacated);
    await scheduler.advance(2999);
    expect(posted).toEqual([]);
    await scheduler.advance(1);
    expect(names(posted)).toEqual(['channel_vacated']);
  });

  it('sends neither vacated nor occupied when the channel is re-occupied within the delay', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink(vacated);
    await scheduler.advance(1000);
    sink(occupied);
    await scheduler.advance(5000);
    expect(posted).toEqual([]);
  });

  it('sends neither member_removed nor member_added when the user comes back within the delay', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink(removed);
    await scheduler.advance(500);
    sink(added);
    await scheduler.advance(5000);
    expect(posted).toEqual([]);
  });

  it('still sends member_added for another user during a held removal', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink(removed);
    sink({ ...added, userId: 'other' });
    await scheduler.advance(3000);
    expect(names(posted)).toEqual(['member_added', 'member_removed']);
  });

  it('sends only the events a target asks for', async () => {
    const { scheduler, posted, sink } = setup([{ events: ['member_added'] }]);
    sink(occupied);
    sink(added);
    await scheduler.advance(0);
    expect(names(posted)).toEqual(['member_added']);
  });

  it('posts the events of a batching target together', async () => {
    const { scheduler, posted, sink } = setup([{ batch: true }]);
    sink(occupied);
    sink(added);
    await scheduler.advance(250);
    expect(posted).toHaveLength(1);
    expect(names(posted)).toEqual(['channel_occupied', 'member_added']);
  });

  it('retries a failed delivery with a doubling delay', async () => {
    const { scheduler, posted, sink } = setup([{}], [500, 503]);
    sink(occupied);
    await scheduler.advance(0);
    expect(posted).toHaveLength(1);
    await scheduler.advance(1000);
    expect(posted).toHaveLength(2);
    await scheduler.advance(1999);
    expect(posted).toHaveLength(2);
    await scheduler.advance(1);
    expect(posted).toHaveLength(3);
  });

  it('gives up after five minutes of failures', async () => {
    const { scheduler, posted, sink } = setup([{}], Array(100).fill(500));
    sink(occupied);
    await scheduler.advance(10 * 60_000);
    // 1+2+4+…+128 s = 255 s of delays fit in 300 s; the next (256 s) would not.
    expect(posted).toHaveLength(9);
    expect(scheduler.pending).toBe(0);
  });

  it('ignores internal channels', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink({ name: 'channel_occupied', appId: 'a', channel: '#server-to-user-1' });
    await scheduler.advance(0);
    expect(posted).toEqual([]);
  });

  it('ignores apps without webhooks', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    sink({ ...occupied, appId: 'unknown' });
    await scheduler.advance(0);
    expect(posted).toEqual([]);
  });

  it('posts pending batches when closed', async () => {
    const { scheduler, posted, sink, dispatcher } = setup([{ batch: true }]);
    sink(occupied);
    dispatcher.close();
    await scheduler.advance(0);
    expect(names(posted)).toEqual(['channel_occupied']);
  });

  it('drops a held removal when the channel is occupied again elsewhere', async () => {
    const { scheduler, posted, sink } = setup([{}], [], { stillGone: async () => false });
    sink(vacated);
    await scheduler.advance(3000);
    expect(posted).toEqual([]);
  });

  it('sends a held removal when the adapter confirms it', async () => {
    const { scheduler, posted, sink } = setup([{}], [], { stillGone: async () => true });
    sink(removed);
    await scheduler.advance(3000);
    expect(names(posted)).toEqual(['member_removed']);
  });

  it('sends one cache_miss per channel within ten seconds [U]', async () => {
    const { scheduler, posted, sink } = setup([{}]);
    const miss: ChannelEvent = { name: 'cache_miss', appId: 'a', channel: 'cache-x' };
    sink(miss);
    sink(miss);
    sink({ ...miss, channel: 'cache-y' });
    await scheduler.advance(10_000);
    sink(miss);
    await scheduler.advance(0);
    expect(posted.map((p) => p.events[0]?.channel)).toEqual(['cache-x', 'cache-y', 'cache-x']);
  });

  it('drops new deliveries while a target has its maximum backlog', async () => {
    const { scheduler, posted, sink } = setup([{}], Array(100).fill(500), {
      maxPendingPerTarget: 2,
    });
    sink(occupied);
    sink({ ...occupied, channel: 'second' });
    sink({ ...occupied, channel: 'third' });
    await scheduler.advance(0);
    expect(posted.map((p) => p.events[0]?.channel)).toEqual(['room', 'second']);
  });
});
