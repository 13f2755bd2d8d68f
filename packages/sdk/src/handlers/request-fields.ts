/**
 * Reads the fields pusher-js and the pusher-js-auth plugin send (docs/protocol.md §13.1–§13.5) from
 * a POST body (form-encoded or JSON, raw or already parsed) or, for JSONP, the query string.
 * Batched requests name channels `channel_name[0]`, `channel_name[1]`, …; a framework's body
 * parser may already have turned those into an array or an object with numeric keys.
 */
import type { AuthHttpRequest } from './types.ts';

export interface AuthFields {
  socketId: unknown;
  /** `undefined` when absent; a list for a batched request. */
  channel: { kind: 'single'; name: unknown } | { kind: 'batch'; names: unknown[] } | undefined;
  callback: unknown;
  /** Every other field with a string value (pusher-js `params`). */
  params: Record<string, string>;
}

const INDEXED = /^channel_name\[(\d+)\]$/;

function bodyRecord(input: AuthHttpRequest<unknown>): Record<string, unknown> | undefined {
  const { body, contentType } = input;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'string') return body;
  if (/\bjson\b/i.test(contentType ?? '')) {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
  return fromSearchParams(new URLSearchParams(body));
}

/** The first value of each key wins, as most form parsers do. */
function fromSearchParams(params: URLSearchParams): Record<string, unknown> {
  const record: Record<string, unknown> = Object.create(null);
  for (const [key, value] of params) if (!Object.hasOwn(record, key)) record[key] = value;
  return record;
}

function channelField(record: Record<string, unknown>): AuthFields['channel'] {
  const indexed: Array<[number, unknown]> = [];
  for (const [key, value] of Object.entries(record)) {
    const match = INDEXED.exec(key);
    if (match) indexed.push([Number(match[1]), value]);
  }
  const value = record.channel_name;
  if (Array.isArray(value)) return { kind: 'batch', names: value };
  if (value !== null && typeof value === 'object') {
    for (const [key, name] of Object.entries(value)) {
      if (/^\d+$/.test(key)) indexed.push([Number(key), name]);
    }
  }
  if (indexed.length > 0) {
    return { kind: 'batch', names: indexed.sort((a, b) => a[0] - b[0]).map(([, name]) => name) };
  }
  if (value !== null && typeof value === 'object') return { kind: 'single', name: undefined };
  return value === undefined ? undefined : { kind: 'single', name: value };
}

/** `undefined` when a JSON body does not parse to an object. */
export function readAuthFields(input: AuthHttpRequest<unknown>): AuthFields | undefined {
  const record = input.method === 'GET' ? fromSearchParams(input.query) : bodyRecord(input);
  if (record === undefined) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'socket_id' || key === 'callback' || key.startsWith('channel_name')) continue;
    if (typeof value === 'string') params[key] = value;
  }
  return {
    socketId: record.socket_id,
    channel: channelField(record),
    callback: record.callback,
    params,
  };
}
