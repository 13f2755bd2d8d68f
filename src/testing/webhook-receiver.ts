/**
 * The test server's built-in webhook receiver: a `node:http` listener on 127.0.0.1, port 0,
 * that checks each request's signature with the SDK (as an app would) and keeps the events.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pushwire, WebHookEvent } from '@pushwire/sdk';

/** Webhook bodies are small; anything larger is refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export class WebhookReceiver {
  readonly events: WebHookEvent[] = [];
  /** Requests whose signature did not verify (always 0 unless something is wrong). */
  invalid = 0;
  readonly #server: Server;

  private constructor(
    server: Server,
    readonly url: string,
  ) {
    this.#server = server;
  }

  static async start(sdk: Pushwire): Promise<WebhookReceiver> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) request.destroy();
        else chunks.push(chunk);
      });
      request.on('error', () => undefined);
      request.on('end', () => {
        const webhook = sdk.webhook({
          headers: request.headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
        });
        if (webhook.isValid()) receiver.events.push(...webhook.getEvents());
        else receiver.invalid++;
        response.writeHead(webhook.isValid() ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/webhooks`);
    return receiver;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
