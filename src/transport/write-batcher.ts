/**
 * Coalesces writes per socket within one event-loop turn: the first write of a turn corks the
 * socket, and one callback at the end of the turn (setImmediate, after all I/O callbacks of the
 * poll phase) uncorks every socket written to. A socket that got several frames in a turn then
 * costs one writev instead of one syscall per frame. Shared by all sockets of an endpoint, so a
 * connection carries no timer or closure of its own.
 */
import type { Duplex } from 'node:stream';

/** A socket's sender as the batcher sees it: state the batcher owns, and the socket. */
export interface Corkable {
  /** True from the socket's first write of a turn until the end of the turn. */
  corked: boolean;
  readonly socket: Duplex;
}

export class WriteBatcher {
  #pending: Corkable[] = [];
  #spare: Corkable[] = [];
  #frames = 0;

  /** `onFlushed` learns how many frames went out in the turn (for metrics, batched too). */
  constructor(private readonly onFlushed: (frames: number) => void) {}

  write(target: Corkable, chunk: Buffer): void {
    if (!target.corked) {
      target.corked = true;
      target.socket.cork();
      if (this.#pending.push(target) === 1) setImmediate(this.#flush);
    }
    target.socket.write(chunk);
    this.#frames++;
  }

  readonly #flush = (): void => {
    const pending = this.#pending;
    this.#pending = this.#spare;
    const frames = this.#frames;
    this.#frames = 0;
    for (let i = 0; i < pending.length; i++) {
      const target = pending[i]!;
      target.corked = false;
      // A socket ended or destroyed meanwhile has already dropped or flushed its buffer.
      target.socket.uncork();
    }
    pending.length = 0;
    this.#spare = pending;
    this.onFlushed(frames);
  };
}
