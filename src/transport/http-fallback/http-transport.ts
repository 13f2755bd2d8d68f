/**
 * The Transport of one HTTP fallback session. A session outlives its requests: messages wait
 * in a bounded queue until a receiving request (a stream, or the next poll) is attached, and are
 * written to it at the end of the turn, several in one `a[…]` frame. `close` queues a `c` frame
 * behind them. Time is read from the endpoint's once-a-second sweep; there are no timers here.
 */
import type { Session } from '../../connection/session.ts';
import type { Clock, Transport } from '../../connection/transport.ts';
import { ErrorCode } from '../../protocol/codes.ts';
import { errorFrame, type OutboundFrame } from '../../protocol/frames.ts';
import type { ResponseStream } from '../../http/types.ts';
import { HEARTBEAT_FRAME, closeFrame, encodeMessage, messagesFrame, openFrame } from './frames.ts';

/**
 * pusher-js drops a stream and opens another on the same session once it has read more than
 * this many characters at a line boundary (core/http/http_request.ts), so nothing more is
 * written to a stream past it: what follows waits for the next one.
 */
export const STREAM_ROLLOVER_CHARS = 256 * 1024;
/** A receiving request held this long without traffic gets `h` (a poll is then answered). */
export const HEARTBEAT_MS = 25_000;
/**
 * A session left without a receiving request this long has lost its client: a polling client
 * polls again at once after each answer, and a stream past its rollover is reopened at once.
 * (SockJS waits 5 s, too long for a presence member to linger.)
 */
export const ABSENCE_MS = 3_000;

/** What every session of an endpoint shares, so a session holds no closures of its own. */
export interface FallbackContext {
  readonly maxBufferedBytes: number;
  readonly publicHostname: string | null;
  readonly clock: Clock;
  /** Flush `transport` at the end of this turn. */
  schedule(transport: HttpTransport): void;
  onFramesSent(frames: number): void;
  onSlowConsumer(): void;
  /** The connection has ended (closed, or its client gone): its Session must leave. */
  ended(transport: HttpTransport): void;
  /** Nothing more will be sent: the session's id may be forgotten. */
  finished(transport: HttpTransport): void;
}

export class HttpTransport implements Transport {
  session: Session | undefined;
  scheduled = false;
  /**
   * The code the server closed with; undefined when the client went away, which, having no
   * close handshake over HTTP, reads as 1006 (closed abnormally).
   */
  closeCode: number | undefined;
  #queue: string[] = [];
  #queuedChars = 0;
  #receiver: ResponseStream | undefined;
  /** Characters written to the current receiver, `o` included, as pusher-js counts them. */
  #written = 0;
  #opened = false;
  #closeFrame: string | undefined;
  #ended = false;
  #finished = false;
  /** Since when the session has had no receiver, or (with one) nothing written to it. */
  #since: number;

  constructor(
    readonly streaming: boolean,
    private readonly context: FallbackContext,
  ) {
    this.#since = context.clock.now();
  }

  get attached(): boolean {
    return this.#receiver !== undefined;
  }

  /** A stream past its rollover: the client is about to replace it with another. */
  get rolledOver(): boolean {
    return this.streaming && this.#written > STREAM_ROLLOVER_CHARS;
  }

  get isFinished(): boolean {
    return this.#finished;
  }

  send(frame: OutboundFrame): void {
    if (this.#closeFrame !== undefined) return;
    const message = frame.encodedWith(encodeMessage);
    const unsent = this.#queuedChars + (this.#receiver?.backlog() ?? 0);
    if (unsent + message.length > this.context.maxBufferedBytes) return this.#slowConsumer();
    this.#queue.push(message);
    this.#queuedChars += message.length;
    this.#schedule();
  }

  close(code: number, reason: string): void {
    if (this.#closeFrame !== undefined) return;
    this.closeCode = code;
    this.#closeFrame = closeFrame(code, reason.slice(0, 200));
    this.#schedule();
    this.#end();
  }

  /**
   * A receiving request for this session: the first gets `o`; a stream replaces one past its
   * rollover (the endpoint refuses any other second receiver).
   */
  attach(receiver: ResponseStream): void {
    const previous = this.#receiver;
    this.#receiver = receiver;
    this.#written = 0;
    this.#since = this.context.clock.now();
    previous?.end();
    if (!this.#opened) {
      this.#opened = true;
      this.#write(openFrame(this.context.publicHostname));
    }
    this.flush();
  }

  /** The receiving request has closed (answered, or dropped by the client). */
  detach(receiver: ResponseStream): void {
    if (this.#receiver !== receiver) return;
    this.#receiver = undefined;
    this.#since = this.context.clock.now();
    // We answer every poll ourselves, and pusher-js drops a stream only to replace it past the
    // rollover: any other request closed from the client's side means the client is done.
    if (!this.rolledOver) this.#gone();
  }

  /** Writes what is queued to the receiver, if one is attached and may take it. */
  flush(): void {
    this.scheduled = false;
    const receiver = this.#receiver;
    if (!receiver || this.rolledOver) return;
    let chunk = '';
    const count = this.#queue.length;
    if (count > 0) {
      chunk = messagesFrame(this.#queue);
      this.#queue = [];
      this.#queuedChars = 0;
      this.context.onFramesSent(count);
    }
    if (this.#closeFrame !== undefined) chunk += this.#closeFrame;
    if (chunk === '') return;
    this.#write(chunk);
    if (this.#closeFrame !== undefined) {
      this.#answer();
      this.#finish();
    } else if (!this.streaming) {
      this.#answer();
    }
  }

  /**
   * Once a second: heartbeats, and a client that has stopped asking is gone. `stalled`: the
   * sweep itself ran late, so requests may be waiting unread; the absence is counted afresh.
   */
  sweep(stalled = false): void {
    if (this.#finished) return;
    const now = this.context.clock.now();
    if (!this.#receiver) {
      if (stalled) this.#since = now;
      else if (now - this.#since >= ABSENCE_MS) this.#gone();
      return;
    }
    if (this.rolledOver) {
      // pusher-js replaces a stream past the rollover at once; a client that keeps it instead
      // is not pusher-js, or is stuck, and would hold the session (and its queue) for ever.
      if (now - this.#since >= ABSENCE_MS) {
        this.#answer();
        this.#gone();
      }
      return;
    }
    if (now - this.#since < HEARTBEAT_MS) return;
    // Keeps proxies from timing out a quiet request; a poll is answered with it.
    this.#write(HEARTBEAT_FRAME);
    this.#since = now;
    if (!this.streaming) this.#answer();
  }

  /** The endpoint is closing: every request is answered and nothing more is sent. */
  shutdown(): void {
    // What is queued (a drain's 4200, say) goes out first: the flush may not have run yet.
    this.flush();
    this.#answer();
    this.#end();
    this.#finish();
  }

  #write(chunk: string): void {
    this.#receiver?.write(chunk);
    this.#written += chunk.length;
    if (this.rolledOver) this.#since = this.context.clock.now();
  }

  /** Ends the current response on purpose, so its close is not taken for the client leaving. */
  #answer(): void {
    const receiver = this.#receiver;
    if (!receiver) return;
    this.#receiver = undefined;
    this.#since = this.context.clock.now();
    receiver.end();
  }

  #schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.context.schedule(this);
  }

  /** The client left: the connection ends, and no one will read what is queued. */
  #gone(): void {
    this.#end();
    this.#finish();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.context.ended(this);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#queue = [];
    this.#queuedChars = 0;
    this.context.finished(this);
  }

  /** A client that does not read must not grow our memory: tell it, then close (as over ws). */
  #slowConsumer(): void {
    this.context.onSlowConsumer();
    this.#queue = [
      errorFrame(ErrorCode.OverCapacity, 'Slow consumer: send buffer full').encodedWith(
        encodeMessage,
      ),
    ];
    this.#queuedChars = this.#queue[0]!.length;
    this.close(ErrorCode.OverCapacity, 'Slow consumer');
  }
}
