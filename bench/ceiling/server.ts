/**
 * The ceiling: a bare server that speaks just enough of the Pusher protocol for every bench
 * scenario and does none of the protocol's work (protocol.ts). It uses `ws` and Pushwire's own
 * write path (one frame per message, writes coalesced per socket per turn), so the gap between
 * it and Pushwire is what the protocol costs, and its own figures are what this machine, this
 * load generator and this write path allow at best. uws-server.ts is the same on
 * uWebSockets.js, to tell what the engine costs.
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
import { ceilingProtocol, type CeilingClient } from './protocol.ts';

interface Client extends Corkable, CeilingClient {
  readonly ws: WebSocket;
}

const batcher = new WriteBatcher(() => {});
let nextId = 0;

const protocol = ceilingProtocol(
  (text: string) => encodeTextFrame(Buffer.from(text)),
  (client: Client, frame: Buffer) => batcher.write(client, frame),
);

function publish(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    protocol.published(Buffer.concat(chunks).toString());
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
      held: undefined,
      heldBytes: 0,
    };
    ws.on('message', (data: Buffer) => protocol.received(client, data.toString()));
    ws.on('close', () => protocol.closed(client));
    ws.on('error', () => {});
    protocol.established(client);
  });
});
http.listen(port, '127.0.0.1', () => process.stdout.write(`ceiling listening on ${port}\n`));
