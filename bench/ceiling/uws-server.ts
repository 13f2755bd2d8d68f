/**
 * The ceiling on uWebSockets.js: the same bare protocol as server.ts (protocol.ts), on the
 * engine soketi runs on instead of Node's `net`, `http` and `ws`. Set beside server.ts, it tells
 * what the engine alone costs per connection, subscription and delivery, and so what a
 * uWebSockets.js transport could give Pushwire. uWebSockets.js is not a dependency: it is loaded
 * from the soketi peer's install (`PEER_SOKETI_DIR`, made by ../shared/bench-peers), as soketi
 * itself runs it. That build falls back to a JavaScript imitation on `ws` where it has no native
 * binary for the running Node (it ships Node 16, 18 and 20's): refused here, as it would measure
 * `ws` again.
 *
 *   PEER_SOKETI_DIR=~/.cache/pushwire-peers/soketi node --import tsx bench/ceiling/uws-server.ts --port 6001
 *
 * Not a server to run: it trusts every client.
 */
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ceilingProtocol, type CeilingClient } from './protocol.ts';

/** The part of uWebSockets.js's API this server uses. */
interface UwsSocket {
  send(message: ArrayBufferLike | Uint8Array | string, isBinary?: boolean): number;
  client?: Client;
}
interface UwsResponse {
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): UwsResponse;
  onAborted(handler: () => void): UwsResponse;
  cork(cb: () => void): UwsResponse;
  writeHeader(key: string, value: string): UwsResponse;
  end(body?: string): UwsResponse;
}
interface UwsApp {
  ws(
    pattern: string,
    behavior: {
      compression: number;
      maxPayloadLength: number;
      idleTimeout: number;
      maxBackpressure: number;
      open: (ws: UwsSocket) => void;
      message: (ws: UwsSocket, message: ArrayBuffer, isBinary: boolean) => void;
      close: (ws: UwsSocket) => void;
    },
  ): UwsApp;
  post(pattern: string, handler: (res: UwsResponse) => void): UwsApp;
  listen(host: string, port: number, cb: (token: unknown) => void): UwsApp;
}
interface Uws {
  App(): UwsApp;
  DISABLED: number;
}

interface Client extends CeilingClient {
  readonly ws: UwsSocket;
}

const dir = process.env.PEER_SOKETI_DIR ?? join(homedir(), '.cache/pushwire-peers/soketi');
const uws = createRequire(join(dir, 'package.json'))('uWebSockets.js') as Uws;
// The imitation has no compression constants.
if (uws.DISABLED === undefined) throw new Error('uWebSockets.js has no native build for this Node');
let dropped = 0;
let nextId = 0;

// Bytes made once per message, sent as they are to every recipient (uWS frames each send).
const protocol = ceilingProtocol(
  (text: string) => Buffer.from(text),
  (client: Client, message: Buffer) => {
    // 2: dropped, past maxBackpressure. Said once, so that a run that lost frames is not quoted.
    if (client.ws.send(message, false) === 2 && dropped++ === 0) {
      process.stderr.write('uws ceiling: a frame was dropped (backpressure)\n');
    }
  },
);

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 6001);
uws
  .App()
  .ws('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: 100 * 1024,
    idleTimeout: 0,
    maxBackpressure: 16 * 1024 * 1024,
    open: (ws) => {
      const client: Client = { ws, id: `${process.pid}.${nextId++}`, channels: new Set() };
      ws.client = client;
      protocol.established(client);
    },
    message: (ws, message) => protocol.received(ws.client!, Buffer.from(message).toString()),
    close: (ws) => protocol.closed(ws.client!),
  })
  .post('/*', (res) => {
    const chunks: Buffer[] = [];
    let aborted = false;
    res.onAborted(() => (aborted = true));
    // uWS reuses a chunk's memory once the handler returns: each is copied.
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      protocol.published(Buffer.concat(chunks).toString());
      if (!aborted) res.cork(() => res.writeHeader('content-type', 'application/json').end('{}'));
    });
  })
  .listen('127.0.0.1', port, (token) => {
    if (!token) throw new Error(`cannot listen on ${port}`);
    process.stdout.write(`uws ceiling listening on ${port}\n`);
  });
