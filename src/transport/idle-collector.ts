/**
 * Gives memory back once a large change in the connection count is over. V8 grows its young
 * generation during a connect or disconnect storm and keeps it, and collects its old generation
 * only under allocation pressure, so a server that went quiet afterwards stays at its peak
 * footprint indefinitely (measured at 19,000 connections: a young generation of 32 MB on Node 20
 * and 128 MB on Node 24; after all of them closed, RSS stayed at 2.8× the pre-load figure).
 *
 * A storm is a move of at least MIN_CHANGE connections since the last reduction. Once the count
 * has then held still (within 1%) for QUIET_SWEEPS sweeps with little traffic, a reduction runs:
 * one full collection; if connections were dropped, a second one at the next quiet sweep (a
 * socket's native handle lets go of its JS object only after the first); then cheap young
 * collections, one per quiet sweep, until the young generation is back to its size at startup.
 * A full collection pauses the server (measured with 19,000 connections open, ~70 MB live: 55 ms
 * on Node 20, 210 ms on Node 24, whose memory-reducing form runs two mark-compacts), so it runs
 * only while the server is quiet, and at most twice per storm.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What the collector needs from the runtime; injected so the policy is tested without V8. */
export interface HeapControl {
  /** A full, synchronous collection that also returns freed memory to the OS where it can. */
  collectFull(): void;
  /**
   * A young-generation collection. V8 shrinks the young generation in one when allocation has
   * been low for a few seconds.
   */
  collectYoung(): void;
  /** Bytes V8 has reserved for the young generation. */
  youngGenerationBytes(): number;
}

/** Only a change of at least this many connections is worth a reduction. */
const MIN_CHANGE = 1000;
/** Sweeps (seconds) with a steady count and little traffic before collecting. */
const QUIET_SWEEPS = 3;
/** Frames sent and received in one sweep above which the server is busy. */
const BUSY_FRAMES = 1000;
/** Young collections tried after the full ones before giving up on a shrink. */
const MAX_YOUNG_PASSES = 10;

export class IdleCollector {
  readonly #heap: HeapControl;
  readonly #youngAtStart: number;
  /** Range of the connection count since the last reduction began. */
  #lowest = 0;
  #highest = 0;
  #last = 0;
  #quiet = 0;
  /** The second full collection after a drop, kept until the next quiet sweep. */
  #fullOwed = false;
  #youngPassesLeft = 0;

  constructor(heap: HeapControl | null = v8Heap()) {
    this.#heap = heap ?? NO_HEAP;
    this.#youngAtStart = this.#heap.youngGenerationBytes();
  }

  /**
   * Called from the endpoint's once-a-second sweep with the open connection count and the
   * frames sent and received since the previous sweep.
   */
  observe(connections: number, frames: number): void {
    const steady = Math.abs(connections - this.#last) <= Math.max(10, connections / 100);
    this.#quiet = steady && frames <= BUSY_FRAMES ? this.#quiet + 1 : 0;
    this.#last = connections;
    if (connections < this.#lowest) this.#lowest = connections;
    if (connections > this.#highest) this.#highest = connections;
    if (this.#quiet === 0) {
      // Traffic uses the young generation; shrinking it now would only make V8 grow it again.
      this.#youngPassesLeft = 0;
      return;
    }
    if (this.#fullOwed) {
      this.#fullOwed = false;
      return this.#heap.collectFull();
    }
    if (this.#youngPassesLeft > 0) return this.#youngPass();
    if (this.#highest - this.#lowest < MIN_CHANGE || this.#quiet < QUIET_SWEEPS) return;
    this.#fullOwed = this.#highest - connections >= MIN_CHANGE;
    this.#lowest = this.#highest = connections;
    this.#youngPassesLeft = MAX_YOUNG_PASSES;
    this.#heap.collectFull();
  }

  #youngPass(): void {
    if (this.#heap.youngGenerationBytes() <= this.#youngAtStart) {
      this.#youngPassesLeft = 0;
      return;
    }
    this.#youngPassesLeft--;
    this.#heap.collectYoung();
  }
}

const NO_HEAP: HeapControl = {
  collectFull: () => {},
  collectYoung: () => {},
  youngGenerationBytes: () => 0,
};

type Gc = (options?: { type: string; execution?: string; flavor?: string }) => void;

/**
 * V8's `gc`, without leaving it exposed: the flag gives contexts created while it is set a `gc`
 * global, so it is set only while this module's private context is created. Null where that fails.
 */
function v8Heap(): HeapControl | null {
  let gc: Gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  // Measured: from V8 12 (Node 22) the memory-reducing form is one full collection that also
  // returns freed pages and shrinks the young generation at once; a plain `gc()` there leaves
  // RSS where it was. V8 11 (Node 20) runs only a young collection for that form.
  const reducing = Number(process.versions.v8.split('.')[0]) >= 12;
  return {
    collectFull: reducing
      ? () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
      : () => gc(),
    collectYoung: () => gc({ type: 'minor' }),
    youngGenerationBytes: () =>
      getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
  };
}
