/**
 * A raw `ws` client that records every frame the server sends, for tests that need exact frames
 * or inputs pusher-js would never produce. `waitFor` consumes frames in order.
 */
import { WebSocket } from 'ws';
import type { WireFrame } from './fake-transport.ts';
import { withTimeout } from './wait.ts';

const open = new Set<RawClient>();

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export class RawClient {
  /** Every frame received, parsed (a non-JSON text frame is kept as `{event: '<raw>'}`). */
  readonly frames: WireFrame[] = [];
  readonly closed: Promise<CloseInfo>;
  #cursor = 0;
  #waiters: (() => void)[] = [];
  #barrier = 0;
  #closeInfo: CloseInfo | undefined;

  private constructor(readonly socket: WebSocket) {
    open.add(this);
    socket.on('message', (data) => {
      const text = data.toString();
      let frame: WireFrame;
      try {
        frame = JSON.parse(text) as WireFrame;
      } catch {
        frame = { event: '<raw>', data: text };
      }
      this.frames.push(frame);
      this.#notify();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        open.delete(this);
        this.#closeInfo = { code, reason: reason.toString() };
        this.#notify();
        resolve(this.#closeInfo);
      });
    });
  }

  /** Opens `url` and resolves once the socket is open (no frame awaited). */
  static open(url: string, headers?: Record<string, string>): Promise<RawClient> {
    const socket = new WebSocket(url, { headers });
    const client = new RawClient(socket);
    return withTimeout(
      new Promise<RawClient>((resolve, reject) => {
        socket.once('open', () => resolve(client));
        socket.once('error', reject);
      }),
      `WebSocket open ${url}`,
    );
  }

  /** Opens a connection to the app and waits for `connection_established`; returns the client. */
  static async connect(
    wsUrl: string,
    appKey = 'app-key',
    query = 'protocol=7&client=js&version=8.6.0&flash=false',
  ): Promise<RawClient> {
    const client = await RawClient.open(`${wsUrl}/app/${appKey}?${query}`);
    await client.waitFor((frame) => frame.event === 'pusher:connection_established');
    return client;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /** The socket id from `connection_established`. */
  get socketId(): string {
    const frame = this.frames.find((f) => f.event === 'pusher:connection_established');
    if (!frame) throw new Error('not established');
    return (JSON.parse(frame.data as string) as { socket_id: string }).socket_id;
  }

  send(frame: object | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  subscribe(channel: string, extra: { auth?: string; channel_data?: string } = {}): void {
    this.send({ event: 'pusher:subscribe', data: { auth: '', ...extra, channel } });
  }

  /**
   * The first frame after the last consumed one that satisfies `predicate`; it and every frame
   * before it are consumed. Rejects after `timeoutMs` or when the socket closes first.
   */
  waitFor(predicate: (frame: WireFrame) => boolean, timeoutMs = 8_000): Promise<WireFrame> {
    return withTimeout(
      new Promise<WireFrame>((resolve, reject) => {
        const check = (): boolean => {
          for (let i = this.#cursor; i < this.frames.length; i++) {
            const frame = this.frames[i] as WireFrame;
            if (predicate(frame)) {
              this.#cursor = i + 1;
              resolve(frame);
              return true;
            }
          }
          if (this.#closeInfo) {
            reject(new Error(`socket closed (${this.#closeInfo.code}) before the frame arrived`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const waiter = () => {
          if (check()) this.#waiters = this.#waiters.filter((w) => w !== waiter);
        };
        this.#waiters.push(waiter);
      }),
      'a matching frame',
      timeoutMs,
    );
  }

  waitForEvent(event: string, channel?: string, timeoutMs?: number): Promise<WireFrame> {
    return this.waitFor(
      (frame) => frame.event === event && (channel === undefined || frame.channel === channel),
      timeoutMs,
    );
  }

  /**
   * Waits until the server has handled everything sent before: subscribes to a fresh public
   * channel and waits for its success, which the server sends after any earlier reply.
   * Returns the frames received in between (excluding the barrier's own frame).
   */
  async barrier(): Promise<WireFrame[]> {
    const start = this.#cursor;
    const channel = `barrier-${++this.#barrier}`;
    this.subscribe(channel);
    await this.waitForEvent('pusher_internal:subscription_succeeded', channel);
    return this.frames.slice(start, this.#cursor - 1);
  }

  /** Frames not consumed yet. */
  pending(): WireFrame[] {
    return this.frames.slice(this.#cursor);
  }

  close(): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else this.socket.close();
    return this.closed;
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Closes every raw client still open (afterEach). */
export async function closeAllRawClients(): Promise<void> {
  await Promise.all(
    [...open].map(async (client) => {
      client.socket.terminate();
      await client.closed;
    }),
  );
}
