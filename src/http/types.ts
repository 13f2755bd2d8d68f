/** HTTP handlers are functions of a parsed request; the listener in transport/ does the I/O. */
import type { IncomingHttpHeaders } from 'node:http';

/** A request as far as it has arrived before its body. */
export interface HttpRequestHead {
  readonly method: string;
  /** The path without its query, for routing; %-escapes are left as they came. */
  readonly path: string;
  /** The path exactly as in the request line: API signatures are computed over it (§11.2). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export interface HttpRequest extends HttpRequestHead {
  readonly body: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
  /**
   * A response that keeps sending after its head (server-sent events): the listener calls it
   * once with the open response, and the function it returns when the client goes away.
   */
  readonly stream?: (out: ResponseStream) => () => void;
}

export interface ResponseStream {
  write(chunk: string): void;
  /** Finishes the response; the function `stream` returned is then called. */
  end(): void;
  /** Bytes written but not yet taken by the client. */
  backlog(): number;
}

export const json = (status: number, value: unknown): HttpResponse => ({
  status,
  body: JSON.stringify(value),
});

/** [U] Error bodies are JSON `{"error": "..."}` (§11.3, §16.9). */
export const httpError = (status: number, message: string): HttpResponse =>
  json(status, { error: message });
