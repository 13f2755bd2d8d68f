/**
 * The auth endpoints for frameworks built on the Fetch API's `Request`/`Response`: Hono, Deno,
 * Bun, Cloudflare Workers, Next.js route handlers, and others.
 */
import { errorResponse } from '../handlers/responses.ts';
import type { AuthEndpoint, AuthHttpResponse } from '../handlers/types.ts';

export interface FetchHandlerOptions {
  /** Larger bodies get 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
}

const toResponse = (result: AuthHttpResponse): Response =>
  new Response(result.body, { status: result.status, headers: result.headers });

/**
 * Answers `request`, handing `subject` to `authorize`: pass the framework's context (Hono's `c`)
 * when the decision needs what middleware put there, or the `Request` itself.
 */
export async function handleFetchRequest<R>(
  endpoint: AuthEndpoint<R>,
  request: Request,
  subject: R,
  options: FetchHandlerOptions = {},
): Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const method = request.method.toUpperCase();
  let body: string | undefined;
  if (method === 'POST') {
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > maxBodyBytes) return toResponse(errorResponse(413, 'Request body too large'));
    body = await readLimited(request, maxBodyBytes);
    if (body === undefined) return toResponse(errorResponse(413, 'Request body too large'));
  }
  const result = await endpoint({
    method,
    query: new URL(request.url).searchParams,
    contentType: request.headers.get('content-type') ?? undefined,
    body,
    request: subject,
  });
  return toResponse(result);
}

/** `(request) => Response`, with the `Request` itself handed to `authorize`. */
export function toFetchHandler(endpoint: AuthEndpoint<Request>, options: FetchHandlerOptions = {}) {
  return (request: Request): Promise<Response> =>
    handleFetchRequest(endpoint, request, request, options);
}

/**
 * The body as text, or undefined once it passes `maxBytes`: read chunk by chunk and cancelled
 * there, so a chunked body with no Content-Length can never be buffered whole.
 */
async function readLimited(request: Request, maxBytes: number): Promise<string | undefined> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
