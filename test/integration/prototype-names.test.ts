/**
 * Names that are also properties of every plain object (`__proto__`, `constructor`…) are valid
 * channel names, user ids and event names; every answer keyed by them must still list them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP } from '../../src/config/schema.ts';
import { startHarness, type Harness } from '../helpers/api-harness.ts';
import { collect, subscribeAndWait } from '../helpers/pusher-client.ts';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { sdk as signer } from '../helpers/sdk.ts';
import { waitUntil } from '../helpers/wait.ts';

const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'];

let harness: Harness | undefined;
afterEach(async () => {
  await closeAllRawClients();
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness({ apps: [{ ...DEFAULT_APP, enableSubscriptionCount: true }] });
  return harness;
}

/** pusher-js keeps its channels in a plain object, so these names need a raw client. */
async function subscribeRaw(h: Harness, channels: string[]): Promise<RawClient> {
  const client = await RawClient.connect(h.server.wsUrl);
  for (const channel of channels) {
    client.subscribe(channel);
    await client.waitForEvent('pusher_internal:subscription_succeeded', channel);
  }
  return client;
}

const body = async (response: { json(): Promise<unknown> }) =>
  (await response.json()) as Record<string, unknown>;

describe('channel names that are Object.prototype properties', () => {
  it('lists them in GET /channels, with and without info', async () => {
    const h = await start();
    await subscribeRaw(h, [...NAMES, 'news']);
    const plain = await body(await h.sdk.get({ path: '/channels' }));
    expect(Object.keys(plain.channels as object).sort()).toEqual([...NAMES, 'news'].sort());
    const counted = await body(
      await h.sdk.get({ path: '/channels', params: { info: 'subscription_count' } }),
    );
    for (const name of NAMES) {
      expect(Object.getOwnPropertyDescriptor(counted.channels, name)?.value).toEqual({
        subscription_count: 1,
      });
    }
  });

  it('answers channel info and delivers events for them', async () => {
    const h = await start();
    const client = await subscribeRaw(h, NAMES);
    for (const name of NAMES) {
      const info = await body(
        await h.sdk.get({ path: `/channels/${name}`, params: { info: 'subscription_count' } }),
      );
      expect(info).toEqual({ occupied: true, subscription_count: 1 });
    }
    await h.sdk.trigger(NAMES, 'ev', { hello: 1 });
    for (const name of NAMES) {
      const frame = await client.waitFor((f) => f.event === 'ev' && f.channel === name);
      expect(frame.data).toBe('{"hello":1}');
    }
  });

  it('answers the info attributes of events and batch_events keyed by them', async () => {
    const h = await start();
    await subscribeRaw(h, NAMES);
    const single = await body(
      await h.sdk.trigger(NAMES, 'ev', 'x', { info: 'subscription_count' }),
    );
    for (const name of NAMES) {
      expect(Object.getOwnPropertyDescriptor(single.channels, name)?.value).toEqual({
        subscription_count: 1,
      });
    }
    const batch = await body(
      await h.sdk.triggerBatch(
        NAMES.map((name) => ({ channel: name, name: 'ev', data: 'x', info: 'subscription_count' })),
      ),
    );
    expect(batch.batch).toEqual(NAMES.map(() => ({ subscription_count: 1 })));
  });
});

describe('user ids and event names that are Object.prototype properties', () => {
  it('lists such presence members in /users and in the roster', async () => {
    const h = await start();
    const clients: RawClient[] = [];
    for (const userId of NAMES) {
      const client = await RawClient.connect(h.server.wsUrl);
      const auth = signer.authorizeChannel(client.socketId, 'presence-room', { user_id: userId });
      client.subscribe('presence-room', auth);
      await client.waitForEvent('pusher_internal:subscription_succeeded', 'presence-room');
      clients.push(client);
    }
    const users = await body(await h.sdk.get({ path: '/channels/presence-room/users' }));
    expect((users.users as { id: string }[]).map((u) => u.id).sort()).toEqual([...NAMES].sort());
    const last = clients.at(-1)!;
    const succeeded = last.frames.find((f) => f.event === 'pusher_internal:subscription_succeeded');
    const { presence } = JSON.parse(succeeded!.data as string) as {
      presence: { ids: string[]; hash: Record<string, unknown>; count: number };
    };
    expect(Object.keys(presence.hash).sort()).toEqual([...NAMES].sort());
    expect(presence.count).toBe(NAMES.length);
  });

  it('delivers events with such names to pusher-js', async () => {
    const h = await start();
    const pusher = await h.client();
    const channel = await subscribeAndWait(pusher, 'news');
    const received = NAMES.map((name) => collect(channel, name));
    for (const name of NAMES) await h.sdk.trigger('news', name, { name });
    await waitUntil(() => received.every((list) => list.length === 1), 'every event');
    expect(received.map((list) => list[0]?.data)).toEqual(NAMES.map((name) => ({ name })));
  });
});
