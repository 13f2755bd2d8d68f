/**
 * Coalesces writes per socket within one event-loop turn: a socket's frames of a turn are held
 * here, and one callback at the end of the turn (setImmediate, after all I/O callbacks of the
 * poll phase) writes them: one frame as a plain write, several inside one cork, so a socket that
 * got several frames in a turn costs one writev instead of one syscall per frame. Shared by all
 * sockets of an endpoint, so a connection carries no timer or closure of its own.
 *
 * Held here, not corked in the socket: most sockets get one frame per turn (a reply, a client
 * event, a delivery of a many-channel publish), and a corked single write costs Node's stream a
 * buffered-write record and a `clearBuffer` pass that a plain write does not (bench/RESULTS.md,
 * "Frames held by the batcher, not corked"). So a frame leaves after anything `ws` writes to the
 * socket itself within the turn: its pongs, control frames that may come between messages; a
 * transport that closes the socket flushes its frames first (`flushNow`), so its close frame
 * comes last.
 *
 * What a turn holds is bounded: past `maxFrames` frames or `maxBytes` bytes, every held frame is
 * written at once and the turn goes on. One poll phase can read hundreds of sockets (a subscribe
 * storm: each presence join writes to every member), and without the bound every frame of the
 * phase stays alive, with Node's per-write objects, until its end; V8 then promotes what a
 * scavenge finds alive, and RSS keeps it (bench/RESULTS.md, "A bound on what a turn holds
 * corked"). The bound is high enough that a fan-out to thousands of sockets still batches.
 */
import type { Duplex } from 'node:stream';

/** A socket's sender as the batcher sees it: state the batcher owns, and the socket. */
export interface Corkable {
  /** The frames held for the socket since the last flush: none, one, or several in order. */
  held: Buffer | Buffer[] | undefined;
  /** Their bytes: unsent as much as what the socket itself has not sent yet. */
  heldBytes: number;
  readonly socket: Duplex;
  /**
   * False once the connection above the socket is closing (a WebSocket that sent its close
   * frame): what is still held is dropped then, as no data frame may follow a close frame.
   */
  readonly writable?: boolean;
}

export interface BatchBounds {
  /** Frames held across all sockets before they are written within the turn. */
  readonly maxFrames: number;
  /** Bytes held across all sockets before they are written within the turn. */
  readonly maxBytes: number;
}

export const DEFAULT_BATCH_BOUNDS: BatchBounds = { maxFrames: 16_384, maxBytes: 8 * 1024 * 1024 };

export class WriteBatcher {
  #pending: Corkable[] = [];
  #spare: Corkable[] = [];
  #frames = 0;
  #bytes = 0;
  /** Frames handed to sockets since the last report (those of a closing one are not). */
  #written = 0;
  #scheduled = false;

  /** `onFlushed` learns how many frames each flush sent (for metrics, batched too). */
  constructor(
    private readonly onFlushed: (frames: number) => void,
    private readonly bounds: BatchBounds = DEFAULT_BATCH_BOUNDS,
  ) {}

  write(target: Corkable, chunk: Buffer): void {
    const held = target.held;
    if (held === undefined) {
      target.held = chunk;
      this.#pending.push(target);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#endOfTurn);
      }
    } else if (Array.isArray(held)) {
      held.push(chunk);
    } else {
      target.held = [held, chunk];
    }
    target.heldBytes += chunk.length;
    this.#frames++;
    this.#bytes += chunk.length;
    if (this.#frames >= this.bounds.maxFrames || this.#bytes >= this.bounds.maxBytes) {
      this.#flush();
    }
  }

  /**
   * Writes what `target` holds now, ahead of the turn's end: before its socket is closed, or
   * while its socket is corked for a write of its own that the frames must join.
   */
  flushNow(target: Corkable): void {
    const held = target.held;
    if (held === undefined) return;
    // Still listed as pending: the end of the turn finds nothing held and passes it by.
    target.held = undefined;
    target.heldBytes = 0;
    this.#written += writeHeld(target, held);
  }

  readonly #endOfTurn = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  #flush(): void {
    const pending = this.#pending;
    this.#pending = this.#spare;
    this.#frames = 0;
    this.#bytes = 0;
    for (let i = 0; i < pending.length; i++) this.flushNow(pending[i]!);
    pending.length = 0;
    this.#spare = pending;
    const written = this.#written;
    this.#written = 0;
    if (written > 0) this.onFlushed(written);
  }
}

/** Writes `held` to the target's socket; returns how many frames it wrote. */
function writeHeld(target: Corkable, held: Buffer | Buffer[]): number {
  const socket = target.socket;
  // A socket ended or destroyed meanwhile drops its frames: writing would only raise an error.
  if (target.writable === false || !socket.writable) return 0;
  if (!Array.isArray(held)) {
    socket.write(held);
    return 1;
  }
  socket.cork();
  for (let i = 0; i < held.length; i++) socket.write(held[i]);
  socket.uncork();
  return held.length;
}
