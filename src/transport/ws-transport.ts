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
  corked = false;

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`, as handed to the upgrade. */
    readonly socket: Duplex,
    private readonly context: SendContext,
  ) {}

  send(frame: OutboundFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN || !this.socket.writable) return;
    // Checked at every write: one turn can queue any number of frames for one socket (a
    // subscribe to a thousand cache channels), and corked frames are held here as much as
    // those the peer has not read. Over the limit, what is corked goes to the kernel first, so
    // only a peer that does not read is cut off, not a reader's burst.
    if (this.socket.writableLength > this.context.maxBufferedBytes && !this.#flushedEarly()) {
      return this.#slowConsumer();
    }
    this.context.batcher.write(this, frame.encodedWith(encodeTextFrame));
  }

  close(code: number, reason: string): void {
    const ws = this.ws;
    if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
    // A close reason is limited to 123 bytes by RFC 6455.
    ws.close(code, Buffer.from(reason).subarray(0, 123));
  }

  /** Hands the turn's corked frames to the kernel; true if what it left unsent is within bounds. */
  #flushedEarly(): boolean {
    if (!this.corked) return false;
    // The batcher still uncorks once at the end of the turn: the cork count stays balanced.
    this.socket.uncork();
    this.socket.cork();
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
