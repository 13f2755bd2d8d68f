/** Decoding JSON that must be an object: frames, channel_data, user_data, request bodies. */

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Never throws; `problem` reads after the thing's name ("channel_data is not valid JSON"). */
export function decodeJsonObject(text: string): Decoded<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
  return isJsonObject(value)
    ? { ok: true, value }
    : { ok: false, problem: 'must be a JSON object' };
}
