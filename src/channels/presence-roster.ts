/**
 * A presence channel's roster as `pusher_internal:subscription_succeeded` carries it (§5.5):
 * `{"presence":{"ids":[…],"hash":{…},"count":N}}`, a JSON string inside the frame's JSON. Built
 * once per roster state from text each member carries already escaped for that string, so a join
 * costs one string of the frame's size: no ids array, no hash object, no JSON.stringify of either
 * and no second pass to escape the result. Pure.
 */
import type { PresenceSnapshot } from '../protocol/frames.ts';

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

const OPEN = escaped('{"presence":{"ids":[');
const HASH = escaped('],"hash":{');
const COUNT = escaped('},"count":');
const CLOSE = escaped('}}');

type Parsed = { ids: string[]; hash: Record<string, unknown> };

export class PresenceRoster implements PresenceSnapshot {
  readonly count: number;
  /** The frame's `data`, escaped: what goes between its quotes. */
  readonly escapedData: string;
  #parsed: Parsed | undefined;

  constructor(members: ReadonlyMap<string, RosterEntry>) {
    this.count = members.size;
    const parts: string[] = [OPEN];
    let first = true;
    for (const member of members.values()) {
      if (!first) parts.push(',');
      parts.push(member.idText);
      first = false;
    }
    parts.push(HASH);
    first = true;
    for (const member of members.values()) {
      if (!first) parts.push(',');
      parts.push(member.entryText);
      first = false;
    }
    parts.push(COUNT, String(this.count), CLOSE);
    this.escapedData = parts.join('');
  }

  /** Read back from the text, for the readers that want objects (tests, the console): rare. */
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
    const data = JSON.parse(`"${this.escapedData}"`) as string;
    return (this.#parsed = (JSON.parse(data) as { presence: Parsed }).presence);
  }
}
