/**
 * A presence channel's `pusher_internal:subscription_succeeded` frame (§5.5), whose `data` is
 * `{"presence":{"ids":[…],"hash":{…},"count":N}}` as a JSON string inside the frame's JSON. Built
 * once per roster state, in one join of pieces each member carries already escaped for that
 * string: a join costs the frame's text and one array of pointers, with no ids array, no hash
 * object, no JSON.stringify of either and no second pass to escape the result. Pure.
 */
import { OutboundFrame, type PresenceSnapshot } from '../protocol/frames.ts';

/** A member's parts of the roster text, escaped for the inside of a JSON string. */
export interface RosterEntry {
  /** `"id"` */
  readonly idText: string;
  /** `"id":info` (info `null` when the member has none, §5.5) */
  readonly entryText: string;
}

/** What goes inside a JSON string's quotes to stand for `text`. */
const escaped = (text: string): string => JSON.stringify(text).slice(1, -1);

/** `infoJson`: the member's user_info as JSON, when the caller serialized it already. */
export function rosterEntry(userId: string, userInfo: unknown, infoJson?: string): RosterEntry {
  const id = JSON.stringify(userId);
  const info = userInfo === undefined ? 'null' : (infoJson ?? JSON.stringify(userInfo));
  return { idText: escaped(id), entryText: escaped(`${id}:${info}`) };
}

const EVENT = '{"event":"pusher_internal:subscription_succeeded","channel":';
const OPEN = `,"data":"${escaped('{"presence":{"ids":[')}`;
const HASH = escaped('],"hash":{');
const COUNT = escaped('},"count":');
const CLOSE = `${escaped('}}')}"}`;

type Parsed = { ids: string[]; hash: Record<string, unknown> };

export class PresenceRoster implements PresenceSnapshot {
  readonly count: number;
  /** `subscription_succeeded` for this roster: shared by every join until the members change. */
  readonly frame: OutboundFrame;
  #parsed: Parsed | undefined;

  constructor(channel: string, members: ReadonlyMap<string, RosterEntry>) {
    const count = (this.count = members.size);
    // Sized up front (commas as parts of their own): one array, and no string made per member.
    const parts = new Array<string>(4 * count + 6);
    parts[0] = EVENT;
    parts[1] = JSON.stringify(channel);
    parts[2] = OPEN;
    let i = 3;
    for (const member of members.values()) {
      if (i > 3) parts[i++] = ',';
      parts[i++] = member.idText;
    }
    parts[i++] = HASH;
    const hashStart = i;
    for (const member of members.values()) {
      if (i > hashStart) parts[i++] = ',';
      parts[i++] = member.entryText;
    }
    parts[i++] = COUNT;
    parts[i++] = String(count);
    parts[i++] = CLOSE;
    parts.length = i;
    this.frame = new OutboundFrame(parts.join(''));
  }

  /** Read back from the frame, for the readers that want objects (tests, the console): rare. */
  get ids(): string[] {
    return this.#parse().ids;
  }

  get hash(): Record<string, unknown> {
    return this.#parse().hash;
  }

  /** As a plain snapshot would serialize (logs, the console). */
  toJSON(): PresenceSnapshot {
    return { ids: this.ids, hash: this.hash, count: this.count };
  }

  #parse(): Parsed {
    if (this.#parsed) return this.#parsed;
    const { data } = JSON.parse(this.frame.text) as { data: string };
    return (this.#parsed = (JSON.parse(data) as { presence: Parsed }).presence);
  }
}
