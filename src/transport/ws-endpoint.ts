/**
 * The WebSocket edge: accepts upgrades, runs the handshake check, wires each `ws` socket to a
 * Session, and runs the one shared keep-alive sweep (no per-connection timers).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Adapter } from '../adapter/adapter.ts';
import type { AppStore } from '../apps/app-store.ts';
import type { ChannelEventSink } from '../channels/channel-events.ts';
import type { Config } from '../config/schema.ts';
import { checkHandshake } from '../connection/handshake.ts';
import { Session } from '../connection/session.ts';
import { newSocketId } from '../connection/socket-id.ts';
import type { Clock } from '../connection/transport.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { errorFrame } from '../protocol/frames.ts';
import { WsTransport } from './ws-transport.ts';

export interface EndpointDeps {
  readonly config: Config;
  readonly apps: AppStore;
  readonly adapter: Adapter;
  readonly events: ChannelEventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const SWEEP_INTERVAL_MS = 1000;

export class WebSocketEndpoint {
  readonly #server: WebSocketServer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  readonly #perApp = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;
  #draining: { code: number; message: string } | undefined;

  constructor(private readonly deps: EndpointDeps) {
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: deps.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#sweep = setInterval(() => {
      for (const session of this.#sessions.values()) session.checkActivity();
    }, SWEEP_INTERVAL_MS);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request.url ?? '/'));
  }

  #accept(ws: WebSocket, url: string): void {
    const { apps, config, metrics, logger } = this.deps;
    ws.on('error', (error) => logger.debug({ err: error }, 'socket error'));
    const handshake = this.#draining
      ? { ok: false as const, ...this.#draining }
      : checkHandshake(
          url,
          (key) => apps.byKey(key),
          (id) => this.#perApp.get(id) ?? 0,
        );
    if (!handshake.ok) {
      metrics.connectionsRefused.inc({ code: String(handshake.code) });
      ws.send(errorFrame(handshake.code, handshake.message).bytes, { binary: false });
      ws.close(handshake.code, handshake.message);
      return;
    }
    const app = handshake.app;
    const socketId = newSocketId((id) => this.#sessions.has(id));
    const transport = new WsTransport(
      ws,
      config.maxBufferedBytes,
      () => metrics.framesSent.inc(),
      () => metrics.slowConsumers.inc(),
    );
    const session = new Session(socketId, transport, {
      app,
      limits: config,
      adapter: this.deps.adapter,
      clock: this.deps.clock,
      events: this.deps.events,
      onInternalError: (error) => {
        metrics.internalErrors.inc();
        logger.error({ err: error, socketId }, 'error in message handler');
      },
    });
    this.#sessions.set(socketId, session);
    this.#sockets.add(ws);
    this.#perApp.set(app.id, (this.#perApp.get(app.id) ?? 0) + 1);
    metrics.connections.inc({ app_id: app.id });
    ws.on('message', (data, isBinary) => {
      metrics.framesReceived.inc();
      // Binary frames are not part of the protocol (§1.5); they are answered like bad JSON.
      if (isBinary) session.rejectBinaryFrame();
      else session.receive(data.toString());
    });
    ws.on('pong', () => session.touch());
    ws.once('close', () => {
      this.#sessions.delete(socketId);
      this.#sockets.delete(ws);
      this.#perApp.set(app.id, (this.#perApp.get(app.id) ?? 1) - 1);
      metrics.connections.dec({ app_id: app.id });
      void session.handleClose();
    });
    session.open();
  }

  /**
   * Shutdown: sends every client `code` (4200: reconnect now) and closes it; connections that
   * arrive from now on get the same answer at once.
   */
  drain(code: number, message: string): void {
    this.#draining = { code, message };
    for (const session of this.#sessions.values()) session.disconnect(code, message);
  }

  /** Resolves once every socket has closed, or after `timeoutMs` (then the rest are dropped). */
  async whenEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const socket of this.#sockets) socket.terminate();
    this.#server.close();
  }
}
