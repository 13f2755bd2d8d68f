/** A Transport that records what a Session sends, so session tests need no socket. */
import type { Transport } from '../../src/connection/transport.ts';
import type { OutboundFrame } from '../../src/protocol/frames.ts';

/** A server frame as the client would parse it. */
export interface WireFrame {
  readonly event: string;
  readonly channel?: string;
  readonly data?: unknown;
  readonly user_id?: string;
}

export class FakeTransport implements Transport {
  /** Every frame's exact text, in send order. */
  readonly texts: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  #cursor = 0;

  send(frame: OutboundFrame): void {
    // Like the real transport: frames after close are dropped.
    if (this.closedWith) return;
    this.texts.push(frame.text);
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }

  get frames(): WireFrame[] {
    return this.texts.map((text) => JSON.parse(text) as WireFrame);
  }

  /** Frames sent since the previous call to `take` (all frames the first time). */
  take(): WireFrame[] {
    const taken = this.frames.slice(this.#cursor);
    this.#cursor = this.texts.length;
    return taken;
  }

  framesNamed(event: string): WireFrame[] {
    return this.frames.filter((frame) => frame.event === event);
  }

  errors(): { code: number | null; message: string }[] {
    return this.framesNamed('pusher:error').map(
      (frame) => frame.data as { code: number | null; message: string },
    );
  }

  last(): WireFrame | undefined {
    return this.frames.at(-1);
  }
}
