/**
 * On a Redis Cluster, one epoch per master: a shard that lost its data (its master restarted
 * empty) shows a new epoch, though the shard holding the heartbeats (`{nodes}`, whose epoch
 * sync.ts also reads) kept its own. Each master's epoch is a key whose hash tag falls in that
 * master's slots, read (and set where missing) once per beat, all masters at once.
 */
import { randomUUID } from 'node:crypto';
import type { RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';

/** KEYS: an epoch. ARGV: the epoch to set when the shard has none (it lost its data). */
const EPOCH = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
return epoch
`;

const SLOTS = 16_384;
/** Tags tried per master before giving up on it (a master owning a handful of slots). */
const MAX_TAGS = 200_000;

/** The Redis Cluster hash slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff;
  }
  return crc % SLOTS;
}

const tagOf = (i: number) => `epoch-${i}`;

export class ShardEpochs {
  /** Master (`host:port`) → the tag of its epoch key. */
  readonly #tags = new Map<string, string>();
  /** Tag → the epoch last read (a handful: one per master, a few more after slots moved). */
  readonly #epochs = new Map<string, string>();

  constructor(
    private readonly redis: Scripted,
    private readonly keys: RedisKeys,
  ) {}

  /** Reads every master's epoch; true when one changed since the last read (its shard lost data). */
  async check(): Promise<boolean> {
    const tags = this.#currentTags();
    const read = await Promise.all(
      tags.map(async (tag) => {
        const epoch = (await this.redis.eval(
          EPOCH,
          1,
          this.keys.shardEpoch(tag),
          randomUUID(),
        )) as string;
        return [tag, epoch] as const;
      }),
    );
    // A tag new to this node (a master added, slots moved) has nothing to compare with; one not
    // read this time (an empty slot table while reconnecting) keeps what it was compared with.
    const lost = read.some(
      ([tag, epoch]) => this.#epochs.has(tag) && this.#epochs.get(tag) !== epoch,
    );
    for (const [tag, epoch] of read) this.#epochs.set(tag, epoch);
    return lost;
  }

  /** One tag per master, from the client's slot table; found again when the slots moved. */
  #currentTags(): string[] {
    const slots = (this.redis as unknown as { slots?: string[][] }).slots ?? [];
    const masters = new Set<string>();
    for (const owners of slots) if (owners?.[0]) masters.add(owners[0]);
    const owner = (tag: string) => slots[keySlot(tag)]?.[0];
    for (const [master, tag] of this.#tags)
      if (!masters.has(master) || owner(tag) !== master) this.#tags.delete(master);
    const missing = new Set([...masters].filter((master) => !this.#tags.has(master)));
    for (let i = 0; missing.size > 0 && i < MAX_TAGS; i++) {
      const master = owner(tagOf(i));
      if (master !== undefined && missing.delete(master)) this.#tags.set(master, tagOf(i));
    }
    return [...this.#tags.values()];
  }
}
