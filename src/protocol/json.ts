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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether `text` opens more than `max` objects or arrays at once, counting brackets outside
 * strings. One pass with no recursion and no allocation, so it runs before JSON.parse; on text
 * that is not valid JSON the answer does not matter, as the parse refuses it anyway.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Fewer characters than levels cannot nest that deep: the common small frame skips the scan.
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** JSON.parse with the depth bound; never throws. `problem` reads after the thing's name. */
export function parseJson(text: string): Decoded<unknown> {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return { ok: false, problem: TOO_DEEP };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
}

/** Never throws; `problem` reads after the thing's name ("channel_data is not valid JSON"). */
export function decodeJsonObject(text: string): Decoded<JsonObject> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  return isJsonObject(parsed.value)
    ? { ok: true, value: parsed.value }
    : { ok: false, problem: 'must be a JSON object' };
}
