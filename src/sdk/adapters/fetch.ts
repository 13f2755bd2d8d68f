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
    body = await request.text();
    if (new TextEncoder().encode(body).byteLength > maxBodyBytes) {
      return toResponse(errorResponse(413, 'Request body too large'));
    }
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
