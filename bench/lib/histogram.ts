/**
 * A latency histogram with fixed 0.1 ms buckets up to 10 s: cheap to record in the hot receive
 * loop, and mergeable across worker processes by adding counts.
 */
const BUCKET_MS = 0.1;
const BUCKETS = 100_000;

export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  max = 0;

  constructor() {
    this.counts = new Uint32Array(BUCKETS);
  }

  record(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.counts[bucket]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The latency in ms at quantile q (0..1), to bucket precision. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.round((i + 1) * BUCKET_MS * 10) / 10;
    }
    return this.max;
  }

  /** Sparse form for IPC: [bucket, count] pairs. */
  toSparse(): { pairs: number[]; max: number } {
    const pairs: number[] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) pairs.push(i, this.counts[i]!);
    return { pairs, max: this.max };
  }

  static fromSparse(sparse: { pairs: number[]; max: number }): Histogram {
    const histogram = new Histogram();
    for (let i = 0; i < sparse.pairs.length; i += 2) {
      histogram.counts[sparse.pairs[i]!] = sparse.pairs[i + 1]!;
      histogram.count += sparse.pairs[i + 1]!;
    }
    histogram.max = sparse.max;
    return histogram;
  }
}
