/**
 * The auth endpoints on `node:http`, and so on Express and anything else that hands out
 * `IncomingMessage`/`ServerResponse`. Typed structurally: nothing from `node:http` is imported,
 * so the SDK still loads on runtimes without it.
 */
import { errorResponse } from '../handlers/responses.ts';
import type { AuthEndpoint, AuthHttpResponse } from '../handlers/types.ts';

/** What is read from an `IncomingMessage` (or an Express `Request`). */
export interface NodeRequestLike extends AsyncIterable<unknown> {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Set when a body parser (express.json(), express.urlencoded(), …) already read the body. */
  readonly body?: unknown;
  readonly readableEnded?: boolean;
}

export interface NodeResponseLike {
  readonly headersSent?: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: string): unknown;
}

export interface NodeHandlerOptions {
  /** Larger bodies get 413. Default 64 KiB: a batch of 100 long channel names fits. */
  readonly maxBodyBytes?: number;
}

class BodyTooLarge extends Error {}

async function readBody(request: NodeRequestLike, maxBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of request) {
    const bytes =
      typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.byteLength;
    if (size > maxBytes) throw new BodyTooLarge();
    text += decoder.decode(bytes, { stream: true });
  }
  return text + decoder.decode();
}

function send(response: NodeResponseLike, result: AuthHttpResponse): void {
  if (response.headersSent) return;
  response.writeHead(result.status, result.headers);
  response.end(result.body);
}

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

/**
 * `(req, res, next?)`: use it as a `node:http` request listener or as Express middleware on the
 * endpoint's path. A body already parsed by Express is used as is; otherwise the stream is read.
 */
export function toNodeHandler<R extends NodeRequestLike>(
  endpoint: AuthEndpoint<R>,
  options: NodeHandlerOptions = {},
) {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  return async (request: R, response: NodeResponseLike, next?: (error?: unknown) => void) => {
    try {
      const method = (request.method ?? 'GET').toUpperCase();
      const url = new URL(request.url ?? '/', 'http://localhost');
      let body: string | Record<string, unknown> | undefined;
      if (request.body !== undefined && request.body !== null) {
        body = request.body as string | Record<string, unknown>;
      } else if (method === 'POST' && !request.readableEnded) {
        body = await readBody(request, maxBodyBytes);
      }
      const result = await endpoint({
        method,
        query: url.searchParams,
        contentType: headerValue(request.headers['content-type']),
        body,
        request,
      });
      send(response, result);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        send(response, errorResponse(413, 'Request body too large'));
      } else if (next) {
        next(error);
      } else {
        send(response, errorResponse(500, 'Internal error'));
      }
    }
  };
}
