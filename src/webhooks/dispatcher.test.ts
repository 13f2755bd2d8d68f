import { describe, expect, it } from 'vitest';
import { StaticAppStore } from '../apps/app-store.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';
import { appSchema, type WebhookTarget } from '../config/schema.ts';
import { FakeScheduler } from '../../test/helpers/fake-scheduler.ts';
import { WebhookDispatcher, type WebhookAttempt } from './dispatcher.ts';
import { MemoryWebhookQueue } from './memory-queue.ts';

interface Posted {
  url: string;
  events: Array<Record<string, unknown>>;
}

function setup(
  targets: Array<Partial<WebhookTarget>>,
  statuses: number[] = [],
  extra: {
    stillGone?: (event: ChannelEvent) => Promise<boolean>;
    queue?: MemoryWebhookQueue;
  } = {},
) {
  const scheduler = new FakeScheduler();
  const posted: Posted[] = [];
  const attempts: WebhookAttempt[] = [];
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
    onAttempt: (attempt) => attempts.push(attempt),
    ...extra,
    send: async (url, body) => {
      posted.push({ url, events: (JSON.parse(body) as { events: Posted['events'] }).events });
      return statuses.shift() ?? 200;
    },
  });
  return { scheduler, posted, attempts, sink: dispatcher.sink, dispatcher };
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

  it('gives up after five minutes of failures and keeps the webhook as a dead letter', async () => {
    const { scheduler, posted, sink, dispatcher } = setup([{}], Array(100).fill(500));
    sink(occupied);
    await scheduler.advance(10 * 60_000);
    // 1+2+4+…+128 s = 255 s of delays fit in 300 s; the next (256 s) would not.
    expect(posted).toHaveLength(9);
    expect(scheduler.pending).toBe(0);
    const [letter, ...others] = await dispatcher.deadLetters('a');
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      appId: 'a',
      url: 'http://hooks.test/in',
      events: [{ name: 'channel_occupied', channel: 'room' }],
      attempts: 9,
      lastError: 'answered 500',
    });
  });

  it('redelivers a dead letter once, when asked', async () => {
    const { scheduler, posted, sink, dispatcher } = setup([{}], Array(9).fill(500));
    sink(occupied);
    await scheduler.advance(10 * 60_000);
    const [letter] = await dispatcher.deadLetters('a');
    expect(await dispatcher.redeliver('a', letter!.id)).toBe(true);
    await scheduler.advance(0);
    expect(posted).toHaveLength(10);
    expect(await dispatcher.deadLetters('a')).toEqual([]);
    expect(await dispatcher.redeliver('a', letter!.id)).toBe(false);
  });

  it('reports each attempt: target, events, status, retry number and outcome', async () => {
    const { scheduler, attempts, sink } = setup([{}], [503]);
    sink(occupied);
    await scheduler.advance(1000);
    expect(attempts).toEqual([
      expect.objectContaining({
        appId: 'a',
        url: 'http://hooks.test/in',
        events: ['channel_occupied'],
        status: 503,
        retry: 0,
        outcome: 'retrying',
      }),
      expect.objectContaining({ status: 200, retry: 1, outcome: 'delivered' }),
    ]);
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a receiver it cannot reach with the error', async () => {
    const scheduler = new FakeScheduler();
    const attempts: WebhookAttempt[] = [];
    const app = appSchema.parse({
      id: 'a',
      key: 'k',
      secret: 's',
      webhooks: [{ url: 'http://x.test/' }],
    });
    const dispatcher = new WebhookDispatcher({
      apps: new StaticAppStore([app]),
      scheduler,
      removalDelayMs: 3000,
      onAttempt: (attempt) => attempts.push(attempt),
      send: async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      },
    });
    dispatcher.sink(occupied);
    await scheduler.advance(0);
    expect(attempts).toEqual([
      expect.objectContaining({ error: 'fetch failed (ECONNREFUSED)', outcome: 'retrying' }),
    ]);
    expect(attempts[0]).not.toHaveProperty('status');
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

  it('leaves no timer behind once closed', async () => {
    const { scheduler, sink, dispatcher } = setup([{}]);
    sink(occupied);
    await scheduler.advance(0);
    await dispatcher.close();
    expect(scheduler.pending).toBe(0);
  });

  it('drops a held removal when the channel is occupied again elsewhere', async () => {
    const { scheduler, posted, sink } = setup([{}], [], { stillGone: async () => false });
    sink(vacated);
    await scheduler.advance(3000);
    expect(posted).toEqual([]);
  });

  it('sends the re-add when its removal was already being settled', async () => {
    let answer: (gone: boolean) => void = () => undefined;
    const { scheduler, posted, sink } = setup([{}], [], {
      stillGone: () => new Promise((resolve) => (answer = resolve)),
    });
    sink(removed);
    await scheduler.advance(3000);
    // The hold is claimed and asks whether the user is still gone; meanwhile the user is back.
    sink(added);
    await scheduler.advance(0);
    answer(false);
    await scheduler.advance(0);
    expect(names(posted)).toEqual(['member_added']);
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

  it('drops new webhooks while the app has its maximum of queued jobs', async () => {
    const { scheduler, posted, sink } = setup([{}], Array(100).fill(500), {
      queue: new MemoryWebhookQueue({ maxJobs: 2 }),
    });
    sink(occupied);
    sink({ ...occupied, channel: 'second' });
    sink({ ...occupied, channel: 'third' });
    await scheduler.advance(0);
    expect(posted.map((p) => p.events[0]?.channel)).toEqual(['room', 'second']);
  });
});
