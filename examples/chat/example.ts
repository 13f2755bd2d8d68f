/**
 * Starts the whole example: a Pushwire server, the chat app and the JSONP page, each on its own
 * port of `host`. Port 0 picks free ports (tests); `close()` stops all three.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resolveConfig, startServer } from '../../src/index.ts';
import { Pushwire } from '../../src/sdk/index.ts';
import { createChatApp } from './chat-app.ts';
import { createJsonpApp } from './jsonp-app.ts';
import { SessionStore, TicketIssuer } from './sessions.ts';

export interface ChatExampleOptions {
  readonly host?: string;
  readonly pushwirePort?: number;
  readonly chatPort?: number;
  readonly jsonpPort?: number;
}

export interface RunningChatExample {
  readonly chatUrl: string;
  readonly jsonpUrl: string;
  readonly pushwireUrl: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export async function startChatExample(
  options: ChatExampleOptions = {},
): Promise<RunningChatExample> {
  const host = options.host ?? '127.0.0.1';
  const pushwire = await startServer(
    resolveConfig({ host, port: options.pushwirePort ?? 6001, logLevel: 'warn', metrics: false }),
  );
  // The embedded default app of the server: id 1, key app-key, secret app-secret.
  const sdk = new Pushwire({
    appId: '1',
    key: 'app-key',
    secret: 'app-secret',
    host,
    port: pushwire.port,
  });
  const tickets = new TicketIssuer();
  const ws = { host, port: pushwire.port };
  const chat = createChatApp({ sdk, sessions: new SessionStore(), tickets, ws });
  const chatPort = await listen(chat, options.chatPort ?? 3000, host);
  const chatUrl = `http://${host}:${chatPort}`;
  const jsonp = createJsonpApp({ key: 'app-key', ws, chatOrigin: chatUrl, tickets });
  const jsonpPort = await listen(jsonp, options.jsonpPort ?? 3001, host);
  return {
    chatUrl,
    jsonpUrl: `http://${host}:${jsonpPort}`,
    pushwireUrl: pushwire.wsUrl,
    close: async () => {
      await Promise.all([closeServer(chat), closeServer(jsonp)]);
      await pushwire.stop();
    },
  };
}
