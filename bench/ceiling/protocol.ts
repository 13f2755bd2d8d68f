/**
 * The ceilings' protocol: just enough of Pusher's for every bench scenario, and none of its
 * work. No signature, name or limit is checked, no metric kept, and client events are forwarded
 * as they came. Shared by the bare servers on `ws` (server.ts) and on uWebSockets.js
 * (uws-server.ts), each giving `encode` (a message's wire form, made once per message) and `send`
 * (one client, one message). They differ in their engine and in their writes: the `ws` one
 * coalesces a socket's frames per turn (Pushwire's WriteBatcher), the uWS one sends each frame
 * as it comes, as soketi does.
 *
 * Not a server to run: it trusts every client.
 */

export interface CeilingClient {
  readonly id: string;
  readonly channels: Set<string>;
}

interface Channel<C> {
  readonly clients: Set<C>;
  /** Presence members by user id, with their info. */
  readonly members: Map<string, unknown>;
}

type Event = { name: string; channel?: string; channels?: string[]; data: string };

export function ceilingProtocol<C extends CeilingClient, M>(
  encode: (text: string) => M,
  send: (client: C, message: M) => void,
) {
  const channels = new Map<string, Channel<C>>();

  function broadcast(name: string, message: M, except?: C): void {
    const channel = channels.get(name);
    if (!channel) return;
    for (const client of channel.clients) if (client !== except) send(client, message);
  }

  function subscribe(client: C, data: { channel: string; channel_data?: string }): void {
    let channel = channels.get(data.channel);
    if (!channel)
      channels.set(data.channel, (channel = { clients: new Set(), members: new Map() }));
    channel.clients.add(client);
    client.channels.add(data.channel);
    let payload = '{}';
    if (data.channel_data !== undefined) {
      const member = JSON.parse(data.channel_data) as { user_id: string; user_info?: unknown };
      const added = JSON.stringify({
        event: 'pusher_internal:member_added',
        channel: data.channel,
        data: JSON.stringify(member),
      });
      broadcast(data.channel, encode(added), client);
      channel.members.set(String(member.user_id), member.user_info ?? null);
      const ids = [...channel.members.keys()];
      const hash = Object.fromEntries(channel.members);
      payload = JSON.stringify({ presence: { ids, hash, count: ids.length } });
    }
    const succeeded = {
      event: 'pusher_internal:subscription_succeeded',
      channel: data.channel,
      data: payload,
    };
    send(client, encode(JSON.stringify(succeeded)));
  }

  return {
    /** What a new connection is sent first. */
    established(client: C): void {
      const data = JSON.stringify({ socket_id: client.id, activity_timeout: 120 });
      send(client, encode(JSON.stringify({ event: 'pusher:connection_established', data })));
    },

    received(client: C, text: string): void {
      const message = JSON.parse(text) as {
        event: string;
        channel?: string;
        data?: { channel: string; channel_data?: string };
      };
      if (message.event === 'pusher:subscribe' && message.data) {
        return subscribe(client, message.data);
      }
      if (message.event === 'pusher:ping') {
        return send(client, encode('{"event":"pusher:pong"}'));
      }
      if (message.event.startsWith('client-') && message.channel) {
        broadcast(message.channel, encode(text), client);
      }
    },

    closed(client: C): void {
      for (const name of client.channels) {
        const channel = channels.get(name);
        channel?.clients.delete(client);
        if (channel?.clients.size === 0) channels.delete(name);
      }
    },

    /** The body of POST /apps/{id}/events or /batch_events, unsigned: each event framed once. */
    published(body: string): void {
      const parsed = JSON.parse(body) as Event & { batch?: Event[] };
      const events = (parsed.batch ?? [parsed]).flatMap((event) =>
        (event.channels ?? [event.channel ?? '']).map((channel) => ({ ...event, channel })),
      );
      for (const event of events) {
        const text = JSON.stringify({
          event: event.name,
          channel: event.channel,
          data: event.data,
        });
        broadcast(event.channel, encode(text));
      }
    },
  };
}
