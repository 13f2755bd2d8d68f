/**
 * pusher-js's HTTP fallback (xhr_streaming, xhr_polling) on the WebSocket port. Each session is
 * a Session over an HttpTransport, admitted and counted by the WebSocket endpoint like any
 * socket, so the protocol code does not know which transport a connection uses. Requests:
 * `POST /pusher/app/{key}/{server}/{session}/xhr_streaming` (a stream of frames),
 * `…/xhr` (one long poll) and `…/xhr_send` (a JSON array of messages from the client).
 */
import type { AppStore } from '../../apps/app-store.ts';
import type { AppConfig, Config } from '../../config/schema.ts';
import type { Clock } from '../../connection/transport.ts';
import { httpError, type HttpRequest, type HttpResponse } from '../../http/types.ts';
import { BudgetedLog } from '../../observability/log-budget.ts';
import type { Logger } from '../../observability/logger.ts';
import { PONG } from '../../protocol/frames.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { WebSocketEndpoint } from '../ws-endpoint.ts';
import { originAllowed } from '../origins.ts';
import { matchFallbackPath, parseSendBody, type FallbackPath } from './frames.ts';
import { HttpTransport, type FallbackContext } from './http-transport.ts';

export interface FallbackDeps {
  readonly config: Pick<
    Config,
    'maxHttpSessions' | 'maxBufferedBytes' | 'maxFrameBytes' | 'publicHostname'
  >;
  readonly apps: AppStore;
  readonly connections: Pick<
    WebSocketEndpoint,
    'admit' | 'release' | 'countReceived' | 'countSent'
  >;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const SWEEP_INTERVAL_MS = 1000;
/** RFC 6455's code for a connection lost without a close frame: how a client's leaving reads. */
const CLOSED_ABNORMALLY = 1006;

/** pusher-js reads the body as text, line by line; nothing may cache or sniff it. */
const RECEIVE_HEADERS = {
  'content-type': 'application/javascript; charset=UTF-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export class HttpFallback {
  /** Open sessions by app key and session id. */
  readonly #sessions = new Map<string, HttpTransport>();
  readonly #ids = new Map<HttpTransport, string>();
  readonly #context: FallbackContext;
  readonly #sweep: NodeJS.Timeout;
  /** A fault a client can provoke on every request must not fill the disk. */
  readonly #log: BudgetedLog;
  #pending: HttpTransport[] = [];

  constructor(private readonly deps: FallbackDeps) {
    const { config, metrics, connections } = deps;
    this.#log = new BudgetedLog(deps.logger, () => deps.clock.now());
    this.#context = {
      maxBufferedBytes: config.maxBufferedBytes,
      publicHostname: config.publicHostname,
      clock: deps.clock,
      schedule: (transport) => {
        if (this.#pending.push(transport) === 1) setImmediate(this.#flush);
      },
      // Through the endpoint, so the traffic summary and idle collector see them as a socket's.
      onFramesSent: (frames) => connections.countSent(frames),
      onSlowConsumer: () => metrics.slowConsumers.inc(),
      ended: (transport) => {
        if (transport.session) {
          connections.release(transport.session, transport.closeCode ?? CLOSED_ABNORMALLY);
        }
      },
      finished: (transport) => {
        const id = this.#ids.get(transport);
        if (id === undefined) return;
        this.#ids.delete(transport);
        this.#sessions.delete(id);
        metrics.httpSessions.dec();
      },
    };
    let lastSweep = deps.clock.now();
    this.#sweep = setInterval(() => {
      // A timer callback that throws would end the process: report it and sweep again next time.
      try {
        // After a stall (a long pause, a starved CPU) timers run before the I/O that piled up:
        // the polls waiting in it must not be taken for absences.
        const now = deps.clock.now();
        const stalled = now - lastSweep > 2 * SWEEP_INTERVAL_MS;
        lastSweep = now;
        for (const transport of this.#sessions.values()) transport.sweep(stalled);
      } catch (error) {
        this.#internalError(error, 'error in the HTTP fallback sweep');
      }
    }, SWEEP_INTERVAL_MS);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The response to a fallback request, or undefined when `request` is not one. */
  handle(request: HttpRequest): HttpResponse | undefined {
    const match = matchFallbackPath(request.path);
    if (match === undefined) return undefined;
    if (!match.ok) return httpError(match.status, match.message);
    const { path } = match;
    const origin = request.headers.origin;
    const app = this.deps.apps.byKey(path.key);
    const cors = corsHeaders(app, origin);
    if (cors === undefined) return httpError(403, 'Origin not allowed');
    if (request.method === 'OPTIONS') return preflight(cors);
    if (request.method !== 'POST') {
      return { ...httpError(405, 'Use POST'), headers: { ...cors, allow: 'POST, OPTIONS' } };
    }
    const response =
      path.kind === 'xhr_send'
        ? this.#send(path, request.body)
        : this.#receive(path, request.query, origin);
    return { ...response, headers: { ...cors, ...response.headers } };
  }

  /**
   * Resolves once every session has delivered its close frame or lost its client (polls come
   * back at once, so a drain's 4200 reaches them), or after `timeoutMs`.
   */
  async whenEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Answers every open request and ends every session (the server is stopping). */
  close(): void {
    clearInterval(this.#sweep);
    for (const transport of [...this.#sessions.values()]) transport.shutdown();
  }

  #receive(path: FallbackPath, query: URLSearchParams, origin: string | undefined): HttpResponse {
    const id = `${path.key}\n${path.sessionId}`;
    const streaming = path.kind === 'xhr_streaming';
    let transport = this.#sessions.get(id);
    if (transport) {
      if (transport.streaming !== streaming) {
        return httpError(400, `Session is ${transport.streaming ? 'streaming' : 'polling'}`);
      }
      if (transport.attached && !transport.rolledOver) {
        return httpError(409, 'Session already has an open request');
      }
    } else {
      if (this.#sessions.size >= this.deps.config.maxHttpSessions) {
        return { ...httpError(503, 'Too many HTTP sessions'), headers: { 'retry-after': '5' } };
      }
      transport = new HttpTransport(streaming, this.#context);
      const admitted = this.deps.connections.admit(
        handshakeUrl(path.key, query),
        origin,
        transport,
      );
      if (admitted.ok) {
        transport.session = admitted.session;
        this.#sessions.set(id, transport);
        this.#ids.set(transport, id);
        this.deps.metrics.httpSessions.inc();
      }
    }
    return receiving(transport);
  }

  #send(path: FallbackPath, body: Buffer): HttpResponse {
    const transport = this.#sessions.get(`${path.key}\n${path.sessionId}`);
    const session = transport?.session;
    // A closed session may still wait to hand its close frame to a poll; it takes nothing more
    // (a subscribe now would join after its leave, and the member would linger).
    if (!transport || !session || transport.isFinished || session.closed) {
      return httpError(404, 'Unknown session');
    }
    const parsed = parseSendBody(body, this.deps.config.maxFrameBytes);
    if (!parsed.ok) return httpError(parsed.status, parsed.message);
    // `[]` is pusher-js's ping over HTTP (and its answer to `h`): it waits for any frame, so it
    // gets the pong a WebSocket ping would.
    if (parsed.messages.length === 0) {
      this.deps.connections.countReceived(true);
      session.touch();
      transport.send(PONG);
    }
    for (const message of parsed.messages) {
      this.deps.connections.countReceived();
      session.receive(message);
    }
    return { status: 204, body: '' };
  }

  readonly #flush = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (const transport of pending) {
      try {
        transport.flush();
      } catch (error) {
        this.#internalError(error, 'error while writing an HTTP fallback response');
      }
    }
  };

  #internalError(error: unknown, message: string): void {
    this.deps.metrics.internalErrors.inc();
    this.#log.internalError({ err: error }, message);
  }
}

/** The response that attaches to a session and stays open until it is answered or dropped. */
function receiving(transport: HttpTransport): HttpResponse {
  return {
    status: 200,
    headers: RECEIVE_HEADERS,
    body: '',
    stream: (out) => {
      transport.attach(out);
      return () => transport.detach(out);
    },
  };
}

/** The session's first request stands for the WebSocket URL: same key, same query. */
function handshakeUrl(key: string, query: URLSearchParams): string {
  return `/app/${encodeURIComponent(key)}?${query.toString()}`;
}

/**
 * CORS for an allowed origin; undefined for one the app does not allow. An unknown app's
 * client may read its refusal (4001) like any other.
 */
function corsHeaders(
  app: AppConfig | undefined,
  origin: string | undefined,
): Record<string, string> | undefined {
  if (origin === undefined) return {};
  if (app && !originAllowed(app.allowedOrigins, origin)) return undefined;
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

function preflight(cors: Record<string, string>): HttpResponse {
  return {
    status: 204,
    headers: {
      ...cors,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'Content-Type',
      'access-control-max-age': '600',
    },
    body: '',
  };
}
