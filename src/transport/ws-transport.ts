/**
 * The Transport of one `ws` socket. Frames are written pre-framed: each OutboundFrame is framed
 * once (ws-frame.ts) and the same bytes go to every recipient's TCP socket through the shared
 * WriteBatcher. `ws` still owns the handshake, reading, pings and the close handshake; its own
 * writes (close frames, pongs) go to the same socket and so stay in order with ours.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Transport } from '../connection/transport.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { errorFrame, type OutboundFrame } from '../protocol/frames.ts';
import { encodeTextFrame } from './ws-frame.ts';
import type { Corkable, WriteBatcher } from './write-batcher.ts';

/** What every transport of an endpoint shares, so a connection holds no closures of its own. */
export interface SendContext {
  readonly batcher: WriteBatcher;
  /** Unsent bytes (ours and the kernel-refused rest) past which the peer is a slow consumer. */
  readonly maxBufferedBytes: number;
  readonly onSlowConsumer: () => void;
}

/** How long a slow consumer's close handshake may take before the socket is dropped. */
const SLOW_CONSUMER_GRACE_MS = 1000;

export class WsTransport implements Transport, Corkable {
  held: Buffer | Buffer[] | undefined = undefined;
  heldBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`, as handed to the upgrade. */
    readonly socket: Duplex,
    private readonly context: SendContext,
  ) {}

  send(frame: OutboundFrame): void {
    // A socket ended under an open WebSocket drops what is held for it when the batcher writes.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // Checked at every write: one turn can queue any number of frames for one socket (a
    // subscribe to a thousand cache channels), and what the batcher holds is unsent as much as
    // what the peer has not read. Over the limit, what is held goes to the kernel first, so
    // only a peer that does not read is cut off, not a reader's burst.
    const unsent = this.socket.writableLength + this.heldBytes;
    if (unsent > this.context.maxBufferedBytes && !this.#flushedEarly()) {
      return this.#slowConsumer();
    }
    this.context.batcher.write(this, frame.encodedWith(encodeTextFrame));
  }

  /** Whether frames may still go out: the WebSocket has not begun its close. */
  get writable(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Writes the frames the batcher holds for this socket now (see WriteBatcher.flushNow). */
  flushNow(): void {
    this.context.batcher.flushNow(this);
  }

  close(code: number, reason: string): void {
    const ws = this.ws;
    if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
    // The frames sent before the close (a pusher:error, mostly) go ahead of its close frame.
    this.context.batcher.flushNow(this);
    // A close reason is limited to 123 bytes by RFC 6455.
    ws.close(code, Buffer.from(reason).subarray(0, 123));
  }

  /** Hands the frames held for this socket to the kernel; true if what is unsent is within bounds. */
  #flushedEarly(): boolean {
    if (this.held === undefined) return false;
    this.context.batcher.flushNow(this);
    return this.socket.writableLength <= this.context.maxBufferedBytes;
  }

  /** A peer that stops reading must not grow our memory without bound: tell it, then drop it. */
  #slowConsumer(): void {
    this.context.onSlowConsumer();
    const message = 'Slow consumer: send buffer full';
    this.context.batcher.write(
      this,
      encodeTextFrame(errorFrame(ErrorCode.OverCapacity, message).text),
    );
    this.close(ErrorCode.OverCapacity, 'Slow consumer');
    // The close frame waits behind the unread data; do not hold the buffer for long.
    const ws = this.ws;
    setTimeout(() => ws.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  }
}
