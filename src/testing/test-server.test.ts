import PusherServer from 'pusher';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pusher, type PusherClient } from '../../test/helpers/pusher-js.ts';
import { startTestServer, type TestServer } from './index.ts';

let pw: TestServer;
const clients: PusherClient[] = [];

beforeAll(async () => {
  pw = await startTestServer();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await pw.reset();
});
afterAll(() => pw.stop());

function client(user?: { id: string; info?: unknown }): PusherClient {
  const pusher = new Pusher(pw.key, pw.pusherJsNodeOptions(user));
  clients.push(pusher);
  return pusher;
}

const once = <T>(target: { bind(event: string, cb: (data: T) => void): unknown }, event: string) =>
  new Promise<T>((resolve) => target.bind(event, resolve));

async function subscribed(pusher: PusherClient, name: string) {
  const channel = pusher.subscribe(name);
  await once(channel, 'pusher:subscription_succeeded');
  return channel;
}

describe('startTestServer', () => {
  it('gives options the official pusher SDK and pusher-js connect with', async () => {
    const received = subscribed(client(), 'orders').then((c) => once(c, 'created'));
    await pw.expectWebhook({ name: 'channel_occupied', channel: 'orders' });
    await new PusherServer(pw.pusherOptions).trigger('orders', 'created', { id: 7 });
    await expect(received).resolves.toEqual({ id: 7 });
    await expect(
      pw.expectEvent({ channel: 'orders', event: 'created', data: { id: 7 } }),
    ).resolves.toMatchObject({ channel: 'orders', data: { id: 7 } });
  });

  it('sees client events through expectEvent', async () => {
    const sender = await subscribed(client({ id: 'ada' }), 'presence-room');
    await subscribed(client({ id: 'bob' }), 'presence-room');
    sender.trigger('client-typing', { on: true });
    const event = await pw.expectEvent({ channel: 'presence-room', event: 'client-typing' });
    expect(event).toEqual({
      channel: 'presence-room',
      event: 'client-typing',
      data: { on: true },
      userId: 'ada',
    });
  });

  it('fails expectEvent with what did arrive, after the timeout', async () => {
    await pw.sdk.trigger('orders', 'updated', { id: 1 });
    await expect(pw.expectEvent({ channel: 'orders', event: 'created' }, 100)).rejects.toThrow(
      'expectEvent: no event "created" on "orders" within 100 ms; events on orders: updated {"id":1}',
    );
  });

  it('reports members, channels and connections', async () => {
    const ada = client({ id: 'ada', info: { name: 'Ada' } });
    await subscribed(ada, 'presence-room');
    await expect(pw.expectMember('presence-room', 'ada')).resolves.toEqual({
      id: 'ada',
      info: { name: 'Ada' },
    });
    expect(pw.channels()).toEqual([
      {
        name: 'presence-room',
        subscriptionCount: 1,
        members: [{ id: 'ada', info: { name: 'Ada' } }],
      },
    ]);
    expect(pw.connections()).toEqual([
      { socketId: ada.connection.socket_id, userId: undefined, channels: ['presence-room'] },
    ]);
    await expect(pw.expectNoMember('presence-room', 'ada', 100)).rejects.toThrow(
      'expectNoMember: "ada" is still a member of "presence-room" after 100 ms',
    );
    ada.unsubscribe('presence-room');
    await pw.expectNoMember('presence-room', 'ada');
    await pw.expectWebhook({ name: 'member_removed', channel: 'presence-room', userId: 'ada' });
    await expect(pw.expectMember('presence-room', 'zed', 50)).rejects.toThrow(
      'expectMember: "zed" is not a member of "presence-room" after 50 ms; members: none',
    );
  });

  it('drops a socket by id, and the client reconnects with a new one', async () => {
    const pusher = client();
    await subscribed(pusher, 'news');
    const first = pusher.connection.socket_id;
    expect(pw.disconnect(first)).toBe(1);
    await expect
      .poll(() => pusher.connection.state === 'connected' && pusher.connection.socket_id !== first)
      .toBe(true);
  });

  it('drops every socket of a user, signed in or present', async () => {
    const one = client({ id: 'ada' });
    const two = client({ id: 'ada' });
    await subscribed(one, 'presence-a');
    await subscribed(two, 'presence-b');
    expect(pw.disconnect('ada', { code: 4009 })).toBe(2);
    await expect.poll(() => pw.connections().length).toBe(0);
    expect(() => pw.disconnect('nobody')).toThrow('no connection has the socket id or user id');
  });

  it('refuses the next subscription with a subscription_error pusher-js reports', async () => {
    pw.refuseNextSubscription('private-orders');
    const pusher = client();
    const channel = pusher.subscribe('private-orders');
    const error = once<{ status: number }>(channel, 'pusher:subscription_error');
    await expect(error).resolves.toMatchObject({ type: 'AuthError', status: 403 });
    expect(channel.subscribed).toBe(false);
    // pusher-js subscribes again after a reconnect, and only the next subscription was refused.
    const succeeded = once(channel, 'pusher:subscription_succeeded');
    pw.disconnect(pusher.connection.socket_id);
    await succeeded;
  });

  it('delays events on demand', async () => {
    const channel = await subscribed(client(), 'slow');
    pw.delayEvents(300);
    const started = Date.now();
    const received = once(channel, 'tick');
    await pw.sdk.trigger('slow', 'tick', {});
    await received;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resets to an empty server', async () => {
    await subscribed(client(), 'news');
    await pw.sdk.trigger('news', 'e', {});
    await pw.reset();
    expect(pw.connections()).toEqual([]);
    expect(pw.channels()).toEqual([]);
    expect(pw.events()).toEqual([]);
    expect(pw.webhooks()).toEqual([]);
  });
});
