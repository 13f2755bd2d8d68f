/**
 * The metrics port (`metricsPort`): `GET /metrics` and nothing else, on a listener of its own,
 * so Prometheus can reach it while the client port (often public) does not serve it. Its labels
 * name every app id, which is not for clients to read. Plain HTTP: it is meant for a private
 * network or the pod itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.ts';

export interface MetricsListenerOptions {
  readonly scrape: () => Promise<{ contentType: string; body: string }>;
  readonly logger: Logger;
}

export class MetricsListener {
  readonly #server: Server;

  constructor(private readonly options: MetricsListenerOptions) {
    this.#server = createServer((req, res) => void this.#onRequest(req, res));
    this.#server.on('clientError', (_error, socket) => socket.destroy());
    this.#server.keepAliveTimeout = 5_000;
    this.#server.headersTimeout = 10_000;
    // Upgrades are not answered here: a WebSocket client that dials this port is dropped.
    this.#server.on('upgrade', (_req, socket) => socket.destroy());
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Never rejects: a scrape that fails is a 500, and a write to a gone socket is dropped. */
  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    const path = (req.url ?? '/').split('?')[0];
    let status = 404;
    let type = 'application/json';
    let body = JSON.stringify({ error: 'Not found: this port serves GET /metrics only' });
    if (req.method === 'GET' && path === '/metrics') {
      try {
        const metrics = await this.options.scrape();
        [status, type, body] = [200, metrics.contentType, metrics.body];
      } catch (error) {
        this.options.logger.warn({ err: error }, 'metrics scrape failed');
        [status, body] = [500, JSON.stringify({ error: 'metrics scrape failed' })];
      }
    }
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
