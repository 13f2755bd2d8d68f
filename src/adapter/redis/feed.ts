/**
 * What a node receives from the bus, delivered once and in log order per channel. Every message
 * carries its id in the channel's log (a Redis stream); the feed remembers the last id it
 * delivered per local channel, drops what it has already delivered, and, after the node's
 * pub/sub link was down, is fed what it missed from the log before the live messages it held.
 */
const SEP = '\n';

export interface BusMessage {
  readonly id: string;
  readonly node: string;
  readonly app: string;
  readonly channel: string;
  readonly except: string;
  /** Roster version of a presence member event; 0 for every other message. */
  readonly version: number;
  readonly frame: string;
}

export type BusItem =
  | { readonly kind: 'd'; readonly message: BusMessage }
  | {
      readonly kind: 't';
      readonly node: string;
      readonly app: string;
      readonly userId: string;
      readonly code: number;
      readonly reason: string;
    };

/** The log entry and bus payload of a delivery, without its id (it starts with a separator). */
export function encodeDelivery(
  node: string,
  app: string,
  channel: string,
  except: string,
  version: number,
  frame: string,
): string {
  return ['', 'd', node, app, channel, except, String(version), frame].join(SEP);
}

export function encodeTerminate(
  node: string,
  app: string,
  userId: string,
  code: number,
  reason: string,
): string {
  return ['t', node, app, userId, String(code), reason].join(SEP);
}

/** Parses `id + delivery` (from the bus, or a log entry with its id) or a terminate message. */
export function decodeBus(text: string): BusItem | undefined {
  const f = splitFields(text, 7);
  if (f[0] === 't') {
    const [, node, app, userId, code, reason] = splitFields(text, 5);
    if (node === undefined || app === undefined || userId === undefined) return undefined;
    return { kind: 't', node, app, userId, code: Number(code), reason: reason ?? '' };
  }
  const [id, kind, node, app, channel, except, version, frame] = f;
  if (kind !== 'd' || id === undefined || node === undefined || app === undefined) return undefined;
  if (channel === undefined || except === undefined || frame === undefined) return undefined;
  return {
    kind: 'd',
    message: { id, node, app, channel, except, version: Number(version) || 0, frame },
  };
}

/** Orders stream ids `ms-seq`; negative when a is older. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am === bm ? as - bs : am - bm;
}

/** Live messages held while catching up; beyond it they are read again from the log. */
const MAX_HELD = 10_000;
/** Presence events remembered per channel while a local join is in flight. */
const MAX_JOIN_EVENTS = 1_000;

export class Feed {
  readonly #offsets = new Map<string, string>();
  readonly #joining = new Map<string, { joins: number; events: BusMessage[] }>();
  #held: BusMessage[] | undefined;
  #overflowed = false;

  constructor(
    private readonly deliver: (message: BusMessage) => void,
    /**
     * A member event older than what its channel already got: some socket that joined in the
     * meantime may still need it (bus.ts decides which).
     */
    private readonly late: (message: BusMessage) => void = () => undefined,
  ) {}

  /**
   * Starts following a channel from `lastId`. Already followed, the offset stays: the bus may not
   * have brought what was logged before this join's script ran, and the sockets already here need
   * it (a socket joining now skips the member events its roster reflects, by version).
   */
  follow(key: string, lastId: string): void {
    if (!this.#offsets.has(key)) this.#offsets.set(key, lastId);
  }

  unfollow(key: string): void {
    this.#offsets.delete(key);
  }

  /**
   * The ids among `ids` this channel may still deliver: beyond its last delivered id (only a
   * catch-up read can bring such an id again once it was seen live).
   */
  ahead(key: string, ids: ReadonlySet<string>): ReadonlySet<string> {
    const last = this.#offsets.get(key) ?? '0-0';
    const ahead = [...ids].filter((id) => compareIds(id, last) > 0);
    return ahead.length === ids.size ? ids : new Set(ahead);
  }

  /** The last id delivered for a followed channel. */
  offset(key: string): string | undefined {
    return this.#offsets.get(key);
  }

  /** Channels followed, with the last id delivered. */
  offsets(): Array<[string, string]> {
    return [...this.#offsets];
  }

  /** Presence events for `key` are remembered until `endJoin`, for the roster a join returns. */
  beginJoin(key: string): void {
    const entry = this.#joining.get(key);
    if (entry) entry.joins++;
    else this.#joining.set(key, { joins: 1, events: [] });
  }

  endJoin(key: string): BusMessage[] {
    const entry = this.#joining.get(key);
    if (!entry) return [];
    if (--entry.joins <= 0) this.#joining.delete(key);
    return entry.events;
  }

  receive(message: BusMessage, key: string): void {
    if (this.#held) {
      if (this.#held.length < MAX_HELD) this.#held.push(message);
      else this.#overflowed = true;
      return;
    }
    this.apply(message, key);
  }

  /** Delivers a message unless it is older than what this channel already got. */
  apply(message: BusMessage, key: string): void {
    if (message.version > 0) {
      const joining = this.#joining.get(key);
      if (joining && joining.events.length < MAX_JOIN_EVENTS) joining.events.push(message);
    }
    const last = this.#offsets.get(key);
    if (last === undefined) return;
    if (compareIds(message.id, last) <= 0) {
      if (message.version > 0) this.late(message);
      return;
    }
    this.#offsets.set(key, message.id);
    this.deliver(message);
  }

  /** Holds live messages until `endCatchUp`. */
  beginCatchUp(): void {
    this.#held ??= [];
  }

  get catchingUp(): boolean {
    return this.#held !== undefined;
  }

  /** Delivers what was held; false when some had to be dropped (catch up again). */
  endCatchUp(keyOf: (message: BusMessage) => string): boolean {
    const held = this.#held ?? [];
    const complete = !this.#overflowed;
    this.#held = undefined;
    this.#overflowed = false;
    for (const message of held) this.apply(message, keyOf(message));
    return complete;
  }
}

/** Splits on the first `count` separators; the last field keeps any separators it contains. */
function splitFields(text: string, count: number): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf(SEP, start);
    if (end < 0) break;
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  fields.push(text.slice(start));
  return fields;
}
