/** The Transport of one `ws` socket. Frames are sent as the shared pre-encoded bytes. */
import { WebSocket } from 'ws';
import type { Transport } from '../connection/transport.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { errorFrame, type OutboundFrame } from '../protocol/frames.ts';

const SEND_OPTIONS = { binary: false } as const;

export class WsTransport implements Transport {
  constructor(
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    private readonly onSent: () => void,
    private readonly onSlowConsumer: () => void,
  ) {}

  send(frame: OutboundFrame): void {
    const socket = this.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      // A peer that stops reading must not grow our memory without bound.
      this.onSlowConsumer();
      socket.send(
        errorFrame(ErrorCode.OverCapacity, 'Slow consumer: send buffer full').bytes,
        SEND_OPTIONS,
      );
      this.close(ErrorCode.OverCapacity, 'Slow consumer');
      // The close frame waits behind the unread data; do not hold the buffer for long.
      setTimeout(() => socket.terminate(), 1000).unref();
      return;
    }
    socket.send(frame.bytes, SEND_OPTIONS);
    this.onSent();
  }

  close(code: number, reason: string): void {
    const socket = this.socket;
    if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
    // A close reason is limited to 123 bytes by RFC 6455.
    socket.close(code, Buffer.from(reason).subarray(0, 123));
  }
}
