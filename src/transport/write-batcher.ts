/**
 * Coalesces writes per socket within one event-loop turn: the first write of a turn corks the
 * socket, and one callback at the end of the turn (setImmediate, after all I/O callbacks of the
 * poll phase) uncorks every socket written to. A socket that got several frames in a turn then
 * costs one writev instead of one syscall per frame. Shared by all sockets of an endpoint, so a
 * connection carries no timer or closure of its own.
 *
 * What a turn holds corked is bounded: past `maxFrames` frames or `maxBytes` bytes, every corked
 * socket is flushed at once and the turn goes on. One poll phase can read hundreds of sockets
 * (a subscribe storm: each presence join writes to every member), and without the bound every
 * frame of the phase stays alive, with Node's per-write objects, until its end; V8 then promotes
 * what a scavenge finds alive, and RSS keeps it (bench/RESULTS.md, "A bound on what a turn holds
 * corked"). The bound is high enough that a fan-out to thousands of sockets still batches.
 */
import type { Duplex } from 'node:stream';

/** A socket's sender as the batcher sees it: state the batcher owns, and the socket. */
export interface Corkable {
  /** True from the socket's first write since the last flush until the next flush. */
  corked: boolean;
  readonly socket: Duplex;
}

export interface BatchBounds {
  /** Frames corked across all sockets before they are flushed within the turn. */
  readonly maxFrames: number;
  /** Bytes corked across all sockets before they are flushed within the turn. */
  readonly maxBytes: number;
}

export const DEFAULT_BATCH_BOUNDS: BatchBounds = { maxFrames: 16_384, maxBytes: 8 * 1024 * 1024 };

export class WriteBatcher {
  #pending: Corkable[] = [];
  #spare: Corkable[] = [];
  #frames = 0;
  #bytes = 0;
  #scheduled = false;

  /** `onFlushed` learns how many frames each flush sent (for metrics, batched too). */
  constructor(
    private readonly onFlushed: (frames: number) => void,
    private readonly bounds: BatchBounds = DEFAULT_BATCH_BOUNDS,
  ) {}

  write(target: Corkable, chunk: Buffer): void {
    if (!target.corked) {
      target.corked = true;
      target.socket.cork();
      this.#pending.push(target);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#endOfTurn);
      }
    }
    target.socket.write(chunk);
    this.#frames++;
    this.#bytes += chunk.length;
    if (this.#frames >= this.bounds.maxFrames || this.#bytes >= this.bounds.maxBytes) {
      this.#flush();
    }
  }

  readonly #endOfTurn = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  #flush(): void {
    const pending = this.#pending;
    this.#pending = this.#spare;
    const frames = this.#frames;
    this.#frames = 0;
    this.#bytes = 0;
    for (let i = 0; i < pending.length; i++) {
      const target = pending[i]!;
      target.corked = false;
      // A socket ended or destroyed meanwhile has already dropped or flushed its buffer.
      target.socket.uncork();
    }
    pending.length = 0;
    this.#spare = pending;
    if (frames > 0) this.onFlushed(frames);
  }
}
