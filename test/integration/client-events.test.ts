import { afterEach, describe, expect, it } from 'vitest';
import {
  collect,
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  disconnectAllPushers();
  await stopAllServers();
});

type ErrorData = { code: number | null; message: string };

/** Two connected clients subscribed to `channel`; presence users are alice and bob. */
async function twoClients(channel: string, overrides = {}) {
  const server = await startProtocolServer(overrides);
  const presence = channel.startsWith('presence-');
  const sender = await connectPusher(
    server.port,
    presence ? { presence: { user_id: 'alice' } } : {},
  );
  const receiver = await connectPusher(
    server.port,
    presence ? { presence: { user_id: 'bob' } } : {},
  );
  const senderChannel = await subscribeAndWait(sender, channel);
  const receiverChannel = await subscribeAndWait(receiver, channel);
  return { server, sender, receiver, senderChannel, receiverChannel };
}

/** Everything the server sent this client before now has arrived once this resolves. */
let barriers = 0;
const barrier = (pusher: PusherClient) => subscribeAndWait(pusher, `barrier-${++barriers}`);

describe('pusher-js client events', () => {
  it('delivers a client event on a private channel to the other client only', async () => {
    const { sender, senderChannel, receiverChannel } = await twoClients('private-chat');
    const echoed = collect(senderChannel, 'client-typing');
    const received = nextEvent(receiverChannel, 'client-typing');
    expect(senderChannel.trigger('client-typing', { who: 'sender' })).toBe(true);
    expect((await received).data).toEqual({ who: 'sender' });
    await barrier(sender);
    expect(echoed).toEqual([]);
  });

  it("adds the sender's user_id on a presence channel", async () => {
    const { senderChannel, receiverChannel } = await twoClients('presence-room');
    const received = nextEvent(receiverChannel, 'client-wave');
    senderChannel.trigger('client-wave', { hi: true });
    const { data, metadata } = await received;
    expect(data).toEqual({ hi: true });
    expect(metadata).toEqual({ user_id: 'alice' });
  });

  it('refuses a client event on a public channel with pusher:error and delivers nothing', async () => {
    const { sender, receiver, senderChannel, receiverChannel } = await twoClients('news');
    const delivered = collect(receiverChannel, 'client-x');
    const error = nextEvent<ErrorData>(sender, 'pusher:error');
    senderChannel.trigger('client-x', {});
    expect((await error).data).toMatchObject({ code: null });
    await barrier(receiver);
    expect(delivered).toEqual([]);
    expect(sender.connection.state).toBe('connected');
  });

  it('refuses a client event from a client not subscribed to the channel', async () => {
    const { server, receiver, receiverChannel } = await twoClients('private-chat');
    const outsider = await connectPusher(server.port);
    const delivered = collect(receiverChannel, 'client-x');
    const error = nextEvent<ErrorData>(outsider, 'pusher:error');
    outsider.send_event('client-x', {}, 'private-chat');
    expect((await error).data.message).toBe(
      'Cannot broadcast client event (connection not subscribed to channel private-chat)',
    );
    await barrier(receiver);
    expect(delivered).toEqual([]);
  });

  it('answers client events over 10 per second with error 4301 and keeps the connection', async () => {
    const { sender, receiver, senderChannel, receiverChannel } = await twoClients('private-chat');
    const delivered = collect(receiverChannel, 'client-burst');
    const errors = collect<ErrorData>(sender, 'pusher:error');
    const socketId = sender.connection.socket_id;
    for (let i = 0; i < 15; i++) senderChannel.trigger('client-burst', { i });
    await waitUntil(() => errors.length > 0, 'a rate-limit error');
    await barrier(sender);
    await barrier(receiver);
    expect(errors[0]?.data).toEqual({
      code: 4301,
      message: 'Client event rejected due to rate limit',
    });
    // Between 10 and 15 depending on whether the burst straddles a one-second window.
    expect(delivered.length).toBeGreaterThanOrEqual(10);
    expect(delivered.length).toBeLessThan(15);
    expect(sender.connection.state).toBe('connected');
    expect(sender.connection.socket_id).toBe(socketId);
  });

  it('refuses client event data over maxEventPayloadBytes and keeps the connection', async () => {
    const { sender, receiver, senderChannel, receiverChannel } = await twoClients('private-chat', {
      apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret', maxEventPayloadBytes: 1_000 }],
    });
    const delivered = collect(receiverChannel, 'client-big');
    const error = nextEvent<ErrorData>(sender, 'pusher:error');
    senderChannel.trigger('client-big', 'x'.repeat(1_001));
    expect((await error).data).toEqual({
      code: null,
      message: 'Client event data is larger than 1000 bytes',
    });
    await barrier(receiver);
    expect(delivered).toEqual([]);
    expect(sender.connection.state).toBe('connected');
  });
});
