/**
 * The node:http edge: one port for WebSocket upgrades and HTTP requests. A request is first
 * screened from its head, so an unsigned or mis-signed one is answered before its body is read.
 * Bodies are read with a size cap, a deadline and a budget shared by all requests, so a slow,
 * endless or numerous body never holds the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  httpError,
  type HttpRequest,
  type HttpRequestHead,
  type HttpResponse,
} from '../http/types.ts';
import { BudgetedLog } from '../observability/log-budget.ts';
import type { Logger } from '../observability/logger.ts';
import { requestTarget } from './request-target.ts';
import type { WebSocketEndpoint } from './ws-endpoint.ts';

export interface ListenerOptions {
  readonly maxBodyBytes: number;
  /** Body bytes held at once across all requests; a request past it gets 503. */
  readonly maxBufferedBodyBytes: number;
  readonly bodyTimeoutMs: number;
  /** The answer from the head alone, or undefined to read the body and call `handle`. */
  readonly screen: (
    head: HttpRequestHead,
  ) => HttpResponse | undefined | Promise<HttpResponse | undefined>;
  readonly handle: (request: HttpRequest) => Promise<HttpResponse>;
  readonly endpoint: WebSocketEndpoint;
  readonly logger: Logger;
  /** Told of each request answered 500 (counted as the endpoint counts its internal errors). */
  readonly onInternalError?: () => void;
  /** Serve https and wss with this certificate and key (PEM); plain http and ws without. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export class HttpListener {
  readonly server: Server | TlsServer;

  /** A fault a request can trigger must not log a stack per request. */
  readonly #log: BudgetedLog;

  /** Body bytes held now by requests being read or handled. */
  #buffered = 0;

  constructor(private readonly options: ListenerOptions) {
    this.#log = new BudgetedLog(options.logger, Date.now);
    const onRequest = (req: IncomingMessage, res: ServerResponse) =>
      void this.#onRequest(req, res, false);
    this.server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
      : createServer(onRequest);
    // `Expect: 100-continue`: the client sends the body only once its head has passed the screen.
    this.server.on('checkContinue', (req, res) => void this.#onRequest(req, res, true));
    this.server.on('upgrade', (req, socket, head) =>
      options.endpoint.handleUpgrade(req, socket, head),
    );
    this.server.on('clientError', (_error, socket) => socket.destroy());
    // Idle keep-alive sockets are closed quickly; headers must arrive promptly too.
    this.server.keepAliveTimeout = 5_000;
    this.server.headersTimeout = 10_000;
    // A body answered from the head is discarded as it arrives (never held); this bounds how long.
    this.server.requestTimeout = this.server.headersTimeout + options.bodyTimeoutMs;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Handshakes from now on present this pair; established connections keep theirs. */
  setCertificate(tls: { readonly cert: Buffer; readonly key: Buffer }): void {
    if ('setSecureContext' in this.server) {
      this.server.setSecureContext({ cert: tls.cert, key: tls.key });
    }
  }

  /** Stops accepting connections; open keep-alive HTTP sockets are closed when idle. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) {
    let held = 0;
    const take = (bytes: number) => {
      if (this.#buffered + bytes > this.options.maxBufferedBodyBytes) return false;
      this.#buffered += bytes;
      held += bytes;
      return true;
    };
    try {
      const url = requestTarget(req.url);
      if (!url) return send(res, httpError(400, 'Malformed request target'), true);
      const head: HttpRequestHead = {
        method: req.method ?? 'GET',
        path: url.pathname,
        rawPath: (req.url ?? '/').split('?')[0] ?? '/',
        query: url.searchParams,
        headers: req.headers,
      };
      // Answered without its body: node:http discards what still arrives of it, holding none.
      let early = this.options.screen(head);
      if (early instanceof Promise) early = await early;
      if (early) return send(res, early, false);
      if (expectsContinue) res.writeContinue();
      const body = await readBody(req, this.options.maxBodyBytes, this.options.bodyTimeoutMs, take);
      if (typeof body === 'number') return send(res, bodyRefusal(body), true);
      send(res, await this.options.handle({ ...head, body }), false);
    } catch (error) {
      this.#log.internalError({ err: error }, 'error in HTTP handler');
      this.options.onInternalError?.();
      send(res, { status: 500, body: JSON.stringify({ error: 'Internal server error' }) }, false);
    } finally {
      this.#buffered -= held;
    }
  }
}

function bodyRefusal(status: number): HttpResponse {
  const body = JSON.stringify({ error: bodyError(status) });
  // Other requests' bodies fill the budget: this one may well fit in a moment.
  return status === 503 ? { status, headers: { 'retry-after': '1' }, body } : { status, body };
}

function bodyError(status: number): string {
  if (status === 413) return 'Request body too large';
  if (status === 503) return 'Server busy: too many request bodies in flight, retry shortly';
  if (status === 408) return 'Request body not received in time';
  return 'Request body could not be read';
}

/**
 * The raw body, or an HTTP status when it cannot be had: 413 too large, 408 too slow, 400 broken,
 * 503 when `take` refuses its bytes (the shared budget is spent). A declared length is taken up
 * front, so such a body is refused before any of it is read.
 */
function readBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
  take: (bytes: number) => boolean,
): Promise<Buffer | number> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return resolve(413);
    if (declared > 0 && !take(declared)) return resolve(503);
    let taken = declared > 0 ? declared : 0;
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(408), timeoutMs);
    const finish = (result: Buffer | number) => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(413);
      if (size > taken) {
        if (!take(size - taken)) return finish(503);
        taken = size;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(400));
  });
}

function send(res: ServerResponse, response: HttpResponse, closeConnection: boolean): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...response.headers,
  };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(response.status, headers);
  if (response.stream && !closeConnection) {
    // The head goes out now: a long poll may hold its body for a while.
    res.flushHeaders();
    // A stream writes from timers and event handlers, where a throw or an unhandled 'error'
    // would end the process: writes to a response that has ended or lost its socket are dropped.
    res.on('error', ignore);
    const stop = response.stream({
      write: (chunk) => {
        if (isOpen(res)) res.write(chunk);
      },
      end: () => {
        if (isOpen(res)) res.end();
      },
      backlog: () => res.writableLength,
    });
    res.once('close', stop);
    // A client gone before its stream began never emits another close.
    if (res.closed) stop();
    return;
  }
  res.end(response.body);
  // A body we stopped reading must not keep the socket busy.
  if (closeConnection) res.once('finish', () => res.socket?.destroy());
}

const isOpen = (res: ServerResponse): boolean => !res.writableEnded && !res.destroyed;

/** The socket's own error ends the response, and 'close' runs the stream's cleanup. */
const ignore = (): void => undefined;
