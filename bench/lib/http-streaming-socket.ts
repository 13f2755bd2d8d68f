/**
 * A bench client over pusher-js's xhr_streaming transport, with the few members of `ws`'s
 * WebSocket that the load-generator worker uses: one long POST receives the session's frames,
 * each message from the client is its own `xhr_send` POST, and the stream is reopened on the
 * same session past 256 KiB, as pusher-js does (core/http/http_request.ts).
 */
import { EventEmitter } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

const ROLLOVER_CHARS = 256 * 1024;
/** `xhr_send` requests reuse connections; the streams each hold their own. */
const sendAgent = new Agent({ keepAlive: true, maxSockets: 256 });

export class HttpStreamingSocket extends EventEmitter {
  readyState: number = WebSocket.CONNECTING;
  readonly #base: string;
  readonly #query: string;
  #stream: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  #partial = '';
  #received = 0;
  #paused = false;

  /** `url`: `http://host:port/pusher/app/{key}?protocol=7…`. */
  constructor(url: string) {
    super();
    const parsed = new URL(url);
    this.#base = `${parsed.origin}${parsed.pathname}/${randomInt(1000)}/${randomBytes(4).toString('hex')}`;
    this.#query = parsed.search;
    this.#open();
  }

  send(text: string): void {
    this.#post(JSON.stringify([text]));
  }

  close(): void {
    this.#closed(1000);
  }

  terminate(): void {
    this.#closed(1006);
  }

  /** Stops reading the stream, as a slow consumer would. */
  pause(): void {
    this.#paused = true;
    this.#response?.pause();
  }

  #post(body: string): void {
    if (this.readyState !== WebSocket.OPEN) return;
    const req = request(`${this.#base}/xhr_send`, { method: 'POST', agent: sendAgent });
    req.on('response', (res) => res.resume());
    req.on('error', () => undefined);
    req.end(body);
  }

  #open(): void {
    this.#received = 0;
    this.#partial = '';
    const req = request(`${this.#base}/xhr_streaming${this.#query}`, {
      method: 'POST',
      agent: false,
    });
    this.#stream = req;
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        this.emit('error', new Error(`xhr_streaming answered ${res.statusCode}`));
        return this.#closed(1006);
      }
      this.#response = res;
      if (this.#paused) res.pause();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.#onData(req, chunk));
      res.on('end', () => this.#stream === req && this.#closed(1006));
    });
    req.on('error', (error) => {
      if (this.#stream !== req) return;
      this.emit('error', error);
      this.#closed(1006);
    });
    req.end();
  }

  #onData(req: ClientRequest, chunk: string): void {
    this.#received += chunk.length;
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (this.#stream !== req) return;
      this.#onFrame(line);
    }
    if (this.#received > ROLLOVER_CHARS && this.#partial === '' && this.#stream === req) {
      req.destroy();
      this.#open();
    }
  }

  #onFrame(line: string): void {
    switch (line[0]) {
      case 'o':
        this.readyState = WebSocket.OPEN;
        this.emit('open');
        return;
      case 'a':
        for (const message of JSON.parse(line.slice(1)) as string[]) {
          this.emit('message', Buffer.from(message));
        }
        return;
      case 'h':
        // pusher-js answers a heartbeat with an empty batch.
        this.#post('[]');
        return;
      case 'c': {
        const [code] = JSON.parse(line.slice(1)) as [number, string];
        this.#closed(code);
      }
    }
  }

  #closed(code: number): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.destroy();
    this.emit('close', code);
  }
}
