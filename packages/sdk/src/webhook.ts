/**
 * Incoming webhooks (docs/protocol.md §12): valid when the content type is exactly
 * `application/json`, the body is JSON, `X-Pusher-Key` names one of the tokens and
 * `X-Pusher-Signature` is that token's HMAC of the raw body. Same results as the official
 * SDK's `WebHook` class, vectors `webhooks`.
 */
import { WebHookError } from './errors.ts';
import { Token } from './token.ts';

/** Headers as a plain object (lower-case keys, as `node:http` gives them) or a `Headers`. */
export type WebHookHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface WebHookRequest {
  headers: WebHookHeaders;
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: string;
}

export interface WebHookEvent {
  name: string;
  channel?: string;
  event?: string;
  data?: string;
  socket_id?: string;
  user_id?: string;
  subscription_count?: number;
  [field: string]: unknown;
}

export interface WebHookData {
  time_ms: number;
  events: WebHookEvent[];
}

function header(headers: WebHookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

export class WebHook {
  readonly key: string | undefined;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly #token: Token;
  readonly #data: WebHookData | undefined;

  constructor(token: Token, request: WebHookRequest) {
    this.#token = token;
    this.key = header(request.headers, 'x-pusher-key');
    this.signature = header(request.headers, 'x-pusher-signature');
    this.contentType = header(request.headers, 'content-type');
    this.body = request.rawBody;
    let data: WebHookData | undefined;
    if (this.isContentTypeValid()) {
      try {
        data = JSON.parse(this.body) as WebHookData;
      } catch {
        data = undefined;
      }
    }
    this.#data = data;
  }

  /** True when signed by this app's token or one of `extraTokens` (e.g. during key rotation). */
  isValid(extraTokens?: { key: string; secret: string } | Array<{ key: string; secret: string }>) {
    if (!this.isBodyValid() || this.signature === undefined) return false;
    const extra =
      extraTokens === undefined ? [] : Array.isArray(extraTokens) ? extraTokens : [extraTokens];
    for (const candidate of [this.#token, ...extra]) {
      const token =
        candidate instanceof Token ? candidate : new Token(candidate.key, candidate.secret);
      if (this.key === token.key && token.verify(this.body, this.signature)) return true;
    }
    return false;
  }

  /** Only the exact string `application/json` is accepted, as in the official SDK. */
  isContentTypeValid(): boolean {
    return this.contentType === 'application/json';
  }

  isBodyValid(): boolean {
    return this.#data !== undefined;
  }

  /** @throws WebHookError when the body is not JSON. */
  getData(): WebHookData {
    if (this.#data === undefined) {
      throw new WebHookError('Invalid WebHook body', this.contentType, this.body, this.signature);
    }
    return this.#data;
  }

  getEvents(): WebHookEvent[] {
    return this.getData().events;
  }

  getTime(): Date {
    return new Date(this.getData().time_ms);
  }
}
