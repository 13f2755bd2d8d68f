/** Decoding JSON that must be an object: frames, channel_data, user_data, request bodies. */

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An empty object for keys that come from users (channel names, user ids): without a prototype,
 * `__proto__` and `constructor` are keys like any other, and JSON.stringify lists them.
 */
export const keyedByInput = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/**
 * How deep inbound JSON may nest. JSON.stringify recurses, and somewhere past a few thousand
 * levels it throws; no client of the protocol nests anywhere near 64.
 */
export const MAX_JSON_DEPTH = 64;

export const TOO_DEEP = `is nested more than ${MAX_JSON_DEPTH} levels deep`;

/** The shortest text that nests deeper than MAX_JSON_DEPTH: `[` and `]` for each level. */
const SHORTEST_TOO_DEEP = 2 * (MAX_JSON_DEPTH + 1);

/**
 * Whether `value` holds objects or arrays more than `max` deep. Run on what JSON.parse made
 * (V8's parser is not recursive: any depth parses) before anything recursive, such as
 * JSON.stringify, touches it. Iterative, and it visits only objects and arrays: string data,
 * the common payload, costs nothing however long it is.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Most frames are a few levels deep: checked without allocating (the walk below makes arrays).
  if (max >= SHALLOW && within(value, SHALLOW)) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop() as number;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? (node as unknown[]) : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** How deep the allocation-free check looks before the general walk takes over. */
const SHALLOW = 4;

/** Whether `node` nests at most `levels` deep. Recursive, but never more than `levels` calls. */
function within(node: object, levels: number): boolean {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (!leafWithin(node[i], levels)) return false;
    return true;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) if (!leafWithin(record[key], levels)) return false;
  return true;
}

const leafWithin = (child: unknown, levels: number): boolean =>
  typeof child !== 'object' || child === null || (levels > 1 && within(child, levels - 1));

/** JSON.parse with the depth bound; never throws. `problem` reads after the thing's name. */
export function parseJson(text: string): Decoded<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
  // Each level takes two characters at least: a text this short cannot nest too deep.
  if (text.length < SHORTEST_TOO_DEEP) return { ok: true, value };
  return nestsDeeperThan(value, MAX_JSON_DEPTH)
    ? { ok: false, problem: TOO_DEEP }
    : { ok: true, value };
}

/** Never throws; `problem` reads after the thing's name ("channel_data is not valid JSON"). */
export function decodeJsonObject(text: string): Decoded<JsonObject> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  return isJsonObject(parsed.value)
    ? { ok: true, value: parsed.value }
    : { ok: false, problem: 'must be a JSON object' };
}
