/**
 * The WebSocket edge: accepts upgrades, runs the handshake check, wires each `ws` socket to a
 * Session, and runs the one shared keep-alive sweep (no per-connection timers). Outgoing frames
 * go through one WriteBatcher shared by all sockets (see write-batcher.ts). A connection costs
 * its sockets, its Session and its transport: listeners, Session dependencies and send settings
 * are shared, so no closure is made per connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Adapter } from '../adapter/adapter.ts';
import type { AppStore } from '../apps/app-store.ts';
import type { ChannelEventSink } from '../channels/channel-events.ts';
import { SubscriptionCountThrottle, announceCount } from '../channels/count-throttle.ts';
import type { Config } from '../config/schema.ts';
import {
  appRefusal,
  checkHandshake,
  type Handshake,
  type Refusal,
} from '../connection/handshake.ts';
import type { ConsoleHub } from '../console/hub.ts';
import { Session, type SessionDeps } from '../connection/session.ts';
import { newSocketId } from '../connection/socket-id.ts';
import type { Clock, Transport } from '../connection/transport.ts';
import { LogBudget } from '../observability/log-budget.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { errorFrame } from '../protocol/frames.ts';
import { IdleCollector } from './idle-collector.ts';
import { originAllowed } from './origins.ts';
import { WriteBatcher } from './write-batcher.ts';
import { WsTransport, type SendContext } from './ws-transport.ts';

/** A connection as an observer sees it: who it is, and a way to drop it. */
export interface ConnectionHandle {
  readonly socketId: string;
  readonly appId: string;
  /** Set once the connection signed in. */
  readonly userId: string | undefined;
  /** Sends `pusher:error` with `code` and closes with it. */
  disconnect(code: number, message: string): void;
}

/** Told of each connection as it opens and as it closes (pushwire/testing uses it). */
export interface ConnectionObserver {
  opened(connection: ConnectionHandle): void;
  closed(connection: ConnectionHandle): void;
}

export interface EndpointDeps {
  readonly config: Config;
  readonly apps: AppStore;
  readonly adapter: Adapter;
  readonly events: ChannelEventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The live console's feed, when it is served. */
  readonly console?: ConsoleHub;
  readonly observer?: ConnectionObserver;
}

const SWEEP_INTERVAL_MS = 1000;

/** The outcome of opening a connection: its Session, or the refusal it was sent. */
export type Admission = { ok: true; session: Session } | Refusal;

/** A browser page from an origin its app does not allow is refused like an unauthorized socket. */
function checkOrigin(handshake: Handshake, origin: string | undefined): Handshake {
  if (!handshake.ok || originAllowed(handshake.app.allowedOrigins, origin)) return handshake;
  return { ok: false, code: ErrorCode.Unauthorized, message: 'Origin not allowed' };
}

/**
 * Log lines per 10 s for the whole process: internal errors (with their stack) and, at debug,
 * refused client frames and socket errors. A client can provoke either on every frame.
 */
const LOG_WINDOW_MS = 10_000;
const INTERNAL_ERROR_LINES = 20;
const CLIENT_MISTAKE_LINES = 50;

/** A `ws` socket that carries its Session, so one set of listeners serves every connection. */
class SessionSocket extends WebSocket {
  session: Session | undefined = undefined;
}

function receive(ws: WebSocket, data: RawData, isBinary: boolean): void {
  const session = (ws as SessionSocket).session;
  if (!session) return;
  // Binary frames are not part of the protocol (§1.5); they are answered like bad JSON.
  if (isBinary) session.rejectBinaryFrame();
  else session.receive(data.toString());
}

function onPong(this: WebSocket): void {
  (this as SessionSocket).session?.touch();
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

export class WebSocketEndpoint {
  readonly #server: WebSocketServer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<SessionSocket>();
  readonly #perApp = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;
  readonly #collector: IdleCollector | undefined;
  /** Frames sent and received since the last sweep: tells the collector whether it is quiet. */
  readonly #traffic = { frames: 0 };
  readonly #countThrottle = new SubscriptionCountThrottle();
  readonly #send: SendContext;
  /** Session dependencies per app id, shared by that app's open connections. */
  readonly #sessionDeps = new Map<string, { app: SessionDeps['app'] } & SessionDeps>();
  readonly #onError: (error: Error) => void;
  readonly #internalErrorLog = new LogBudget(INTERNAL_ERROR_LINES, LOG_WINDOW_MS);
  readonly #clientMistakeLog = new LogBudget(CLIENT_MISTAKE_LINES, LOG_WINDOW_MS);
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly #onClose: (this: WebSocket, code: number) => void;
  /** Set while shutting down: the message new arrivals get. */
  #draining: string | undefined;
  /** Sessions still leaving their channels after their socket closed. */
  readonly #closing = new Set<Promise<void>>();

  constructor(private readonly deps: EndpointDeps) {
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: deps.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: SessionSocket,
    });
    this.#sweep = setInterval(() => {
      // A timer callback that throws would end the process: report it and sweep again next time.
      try {
        this.#runSweep();
      } catch (error) {
        deps.metrics.internalErrors.inc();
        deps.logger.error({ err: error }, 'error in the keep-alive sweep');
      }
    }, SWEEP_INTERVAL_MS);
    this.#sweep.unref();
    this.#collector = deps.config.collectGarbageWhenIdle ? new IdleCollector() : undefined;
    const { metrics } = deps;
    this.#send = {
      batcher: new WriteBatcher((frames) => {
        metrics.framesSent.inc(frames);
        this.#traffic.frames += frames;
      }),
      maxBufferedBytes: deps.config.maxBufferedBytes,
      onSlowConsumer: () => metrics.slowConsumers.inc(),
    };
    this.#onError = (error) => this.#logClientMistake({ err: error }, 'socket error');
    const traffic = this.#traffic;
    this.#onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      metrics.frameReceived();
      traffic.frames++;
      receive(this, data, isBinary);
    };
    const forget = (ws: SessionSocket, code: number) => this.#forget(ws, code);
    this.#onClose = function (this: WebSocket, code: number) {
      forget(this as SessionSocket, code);
    };
  }

  get size(): number {
    return this.#sessions.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    const url = request.url ?? '/';
    try {
      this.#server.handleUpgrade(request, socket, head, (ws) => {
        // Nothing thrown while setting a connection up may reach the process.
        try {
          this.#accept(ws as SessionSocket, socket, url, request.headers.origin);
        } catch (error) {
          this.#failed(error);
          ws.terminate();
        }
      });
    } catch (error) {
      this.#failed(error);
      socket.destroy();
    }
  }

  #failed(error: unknown): void {
    this.deps.metrics.internalErrors.inc();
    this.deps.logger.error({ err: error }, 'error while accepting a connection');
  }

  #accept(ws: SessionSocket, socket: Duplex, url: string, origin: string | undefined): void {
    ws.on('error', this.#onError);
    this.#sockets.add(ws);
    // `on`, not `once`: `once` wraps the listener in a closure per connection; ws emits close once.
    ws.on('close', this.#onClose);
    const transport = new WsTransport(ws, socket, this.#send);
    const admitted = this.#admit(url, origin, transport, (session) => (ws.session = session));
    if (!admitted.ok) return;
    ws.on('message', this.#onMessage);
    ws.on('pong', onPong);
    admitted.session.open();
  }

  /**
   * Opens a connection that arrived over another transport (the HTTP fallback) with the same
   * checks, counts, keep-alive sweep, console and observer as a WebSocket. `url` has the
   * WebSocket form `/app/{key}?protocol=…`. A refused connection has been sent `pusher:error`
   * and closed through `transport`; an admitted one has been sent `connection_established`.
   * The transport calls `release` once its connection has ended.
   */
  admit(url: string, origin: string | undefined, transport: Transport): Admission {
    const admitted = this.#admit(url, origin, transport);
    if (admitted.ok) admitted.session.open();
    return admitted;
  }

  #admit(
    url: string,
    origin: string | undefined,
    transport: Transport,
    bind?: (session: Session) => void,
  ): Admission {
    const { apps, metrics } = this.deps;
    // While draining, new arrivals are told to back off (4100: retry in a second), not 4200,
    // which would send them straight back here in a tight loop until the listener closes.
    const handshake = this.#draining
      ? { ok: false as const, code: ErrorCode.OverCapacity, message: this.#draining }
      : checkOrigin(
          checkHandshake(
            url,
            (key) => apps.byKey(key),
            (id) => this.#perApp.get(id) ?? 0,
          ),
          origin,
        );
    if (!handshake.ok) {
      metrics.connectionsRefused.inc({ code: String(handshake.code) });
      transport.send(errorFrame(handshake.code, handshake.message));
      transport.close(handshake.code, handshake.message);
      return handshake;
    }
    const app = handshake.app;
    const socketId = newSocketId((id) => this.#sessions.has(id));
    const session = new Session(socketId, transport, this.#depsFor(app));
    bind?.(session);
    this.#sessions.set(socketId, session);
    this.#perApp.set(app.id, (this.#perApp.get(app.id) ?? 0) + 1);
    this.deps.adapter.countConnection(app.id, 1);
    metrics.connections.inc({ app_id: app.id });
    if (this.deps.console?.watching(app.id)) {
      this.deps.console.publish({ name: 'connected', appId: app.id, socketId });
    }
    this.deps.observer?.opened(session);
    return { ok: true, session };
  }

  #forget(ws: SessionSocket, code: number): void {
    this.#sockets.delete(ws);
    if (ws.session) this.release(ws.session, code);
  }

  /** A connection has ended: it leaves its channels and signs out. Once per admitted session. */
  release(session: Session, code?: number): void {
    if (this.#sessions.get(session.socketId) !== session) return;
    this.#sessions.delete(session.socketId);
    this.#perApp.set(session.appId, (this.#perApp.get(session.appId) ?? 1) - 1);
    this.deps.adapter.countConnection(session.appId, -1);
    this.deps.metrics.connections.dec({ app_id: session.appId });
    if (this.deps.console?.watching(session.appId)) {
      const entry = { appId: session.appId, socketId: session.socketId, code };
      this.deps.console.publish({ name: 'disconnected', ...entry });
    }
    try {
      this.deps.observer?.closed(session);
    } catch (error) {
      // A close listener that throws would end the process: report it instead.
      this.deps.logger.error({ err: error }, 'error in the connection observer');
    }
    this.#track(session.handleClose());
  }

  #depsFor(app: SessionDeps['app']): SessionDeps {
    let deps = this.#sessionDeps.get(app.id);
    if (deps) {
      // A changed app (a new object from a dynamic store) reaches its open connections too.
      deps.app = app;
    } else {
      const { config, adapter, clock, events, metrics, logger } = this.deps;
      deps = {
        app,
        limits: config,
        adapter,
        clock,
        events,
        countThrottle: this.#countThrottle,
        ...(this.deps.console ? { console: this.deps.console } : {}),
        onInternalError: (error) => {
          metrics.internalErrors.inc();
          const allowed = this.#internalErrorLog.take(clock.now());
          if (allowed)
            logger.error({ err: error, appId: app.id, ...allowed }, 'error in message handler');
        },
        onRefusal: (socketId, code, message) => {
          this.#logClientMistake(
            { appId: app.id, socketId, code, message },
            'client frame refused',
          );
        },
      };
      this.#sessionDeps.set(app.id, deps);
    }
    return deps;
  }

  /** At debug, within the budget: a client's mistakes are its own, not the operator's. */
  #logClientMistake(fields: object, message: string): void {
    const { logger, clock } = this.deps;
    if (!logger.isLevelEnabled('debug')) return;
    const allowed = this.#clientMistakeLog.take(clock.now());
    if (allowed) logger.debug({ ...fields, ...allowed }, message);
  }

  /** Once a second: keep-alive, app changes, held counts, and memory after a storm. */
  #runSweep(): void {
    for (const session of this.#sessions.values()) session.checkActivity();
    if (this.deps.apps.dynamic) this.#followAppChanges();
    this.#announceHeldCounts();
    this.#collector?.observe(this.#sessions.size, this.#traffic.frames);
    this.#traffic.frames = 0;
  }

  /** Announces each count change the throttle held back, with the channel's count as it is now. */
  #announceHeldCounts(): void {
    const { adapter, apps, clock, events, logger } = this.deps;
    for (const { appId, channel } of this.#countThrottle.due(clock.now())) {
      adapter.channel(appId, channel).then(
        (stats) => {
          if (stats && apps.byId(appId)?.enableSubscriptionCount) {
            announceCount({ adapter, events }, appId, channel, stats.subscriptionCount);
          }
        },
        (error: unknown) => logger.warn({ err: error, appId }, 'subscription count not announced'),
      );
    }
  }

  /**
   * Applies what a dynamic app store changed to the apps with open connections: a changed app
   * replaces the one their sessions share (sessions read it at use time, so a rotated secret or a
   * new limit applies to their next subscription or event), and the connections of an app that
   * was removed or disabled are closed with 4001 or 4003, as a new one would be refused.
   */
  #followAppChanges(): void {
    for (const [id, deps] of this.#sessionDeps) {
      const app = this.deps.apps.byId(id);
      if (app === deps.app) continue;
      if (app?.enabled) {
        deps.app = app;
        continue;
      }
      this.#sessionDeps.delete(id);
      const { code, message } = appRefusal(app);
      for (const session of this.#sessions.values()) {
        if (session.appId === id) session.disconnect(code, message);
      }
    }
  }

  /**
   * Shutdown: sends every client `code` (4200: reconnect now) and closes it; connections that
   * arrive from now on are refused with 4100.
   */
  drain(code: number, message: string): void {
    this.#draining = 'Server is shutting down: retry shortly';
    for (const session of this.#sessions.values()) session.disconnect(code, message);
  }

  /** Resolves once every closed connection has left its channels and signed out. */
  async settled(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all(this.#closing);
  }

  /** Resolves once every socket has closed, or after `timeoutMs` (then the rest are dropped). */
  async whenEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Drops every socket still open; their sessions start leaving at once (see `settled`). */
  close(): void {
    clearInterval(this.#sweep);
    for (const socket of this.#sockets) socket.terminate();
    for (const session of this.#sessions.values()) this.#track(session.handleClose());
    this.#server.close();
  }

  #track(closing: Promise<void>): void {
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }
}
