/**
 * The ceiling: a bare server that speaks just enough of the Pusher protocol for every bench
 * scenario and does none of the protocol's work. It checks no signature, no name and no limit,
 * keeps no metrics, and forwards client events as they came. It uses `ws` and Pushwire's own
 * write path (one frame per message, writes coalesced per socket per turn), so the gap between
 * it and Pushwire is what the protocol costs, and its own figures are what this machine, this
 * load generator and this write path allow at best.
 *
 *   node --import tsx bench/ceiling/server.ts --port 6001
 *
 * Not a server to run: it trusts every client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeTextFrame } from '../../src/transport/ws-frame.ts';
import { WriteBatcher, type Corkable } from '../../src/transport/write-batcher.ts';

interface Client extends Corkable {
  readonly ws: WebSocket;
  readonly id: string;
  readonly channels: Set<string>;
}

interface Channel {
  readonly clients: Set<Client>;
  /** Presence members by user id, with their info. */
  readonly members: Map<string, unknown>;
}

const batcher = new WriteBatcher(() => {});
const channels = new Map<string, Channel>();
let nextId = 0;

const frameOf = (text: string) => encodeTextFrame(Buffer.from(text));
const send = (client: Client, frame: Buffer) => batcher.write(client, frame);

function broadcast(name: string, frame: Buffer, except?: Client): void {
  const channel = channels.get(name);
  if (!channel) return;
  for (const client of channel.clients) if (client !== except) send(client, frame);
}

function subscribe(client: Client, data: { channel: string; channel_data?: string }): void {
  let channel = channels.get(data.channel);
  if (!channel) channels.set(data.channel, (channel = { clients: new Set(), members: new Map() }));
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
    broadcast(data.channel, frameOf(added), client);
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
  send(client, frameOf(JSON.stringify(succeeded)));
}

function onMessage(client: Client, raw: Buffer): void {
  const message = JSON.parse(raw.toString()) as {
    event: string;
    channel?: string;
    data?: { channel: string; channel_data?: string };
  };
  if (message.event === 'pusher:subscribe' && message.data) return subscribe(client, message.data);
  if (message.event === 'pusher:ping') return send(client, frameOf('{"event":"pusher:pong"}'));
  if (message.event.startsWith('client-') && message.channel)
    broadcast(message.channel, frameOf(raw.toString()), client);
}

function onClose(client: Client): void {
  for (const name of client.channels) {
    const channel = channels.get(name);
    channel?.clients.delete(client);
    if (channel?.clients.size === 0) channels.delete(name);
  }
}

/** POST /apps/{id}/events or /batch_events, unsigned: each event framed once for its channel. */
function publish(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    type Event = { name: string; channel?: string; channels?: string[]; data: string };
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Event & { batch?: Event[] };
    const events = (body.batch ?? [body]).flatMap((event) =>
      (event.channels ?? [event.channel ?? '']).map((channel) => ({ ...event, channel })),
    );
    for (const event of events) {
      const text = JSON.stringify({ event: event.name, channel: event.channel, data: event.data });
      broadcast(event.channel, frameOf(text));
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 6001);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const http = createServer(publish);
http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    const client: Client = {
      ws,
      socket,
      id: `${process.pid}.${nextId++}`,
      channels: new Set(),
      corked: false,
    };
    ws.on('message', (data: Buffer) => onMessage(client, data));
    ws.on('close', () => onClose(client));
    ws.on('error', () => {});
    const data = JSON.stringify({ socket_id: client.id, activity_timeout: 120 });
    send(client, frameOf(JSON.stringify({ event: 'pusher:connection_established', data })));
  });
});
http.listen(port, '127.0.0.1', () => process.stdout.write(`ceiling listening on ${port}\n`));
