/**
 * The second page, on another port (so another origin): it subscribes with pusher-js's `jsonp`
 * transport against the chat app's auth endpoint, passing a ticket instead of headers.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { jsonpPage } from './pages.ts';
import type { TicketIssuer } from './sessions.ts';

export interface JsonpAppOptions {
  readonly key: string;
  readonly ws: { host: string; port: number };
  /** The chat app's origin, e.g. `http://127.0.0.1:3000`. */
  readonly chatOrigin: string;
  readonly tickets: TicketIssuer;
}

export function createJsonpApp(options: JsonpAppOptions): Server {
  const script = new URL('./public/jsonp.js', import.meta.url);
  return createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && pathname === '/') {
      const config = {
        key: options.key,
        wsHost: options.ws.host,
        wsPort: options.ws.port,
        authEndpoint: `${options.chatOrigin}/pusher/auth`,
        ticket: options.tickets.issue(),
      };
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(jsonpPage(config, `${options.chatOrigin}/vendor/pusher.min.js`));
      return;
    }
    if (request.method === 'GET' && pathname === '/static/jsonp.js') {
      readFile(script).then(
        (body) => response.writeHead(200, { 'content-type': 'application/javascript' }).end(body),
        () => response.writeHead(500).end(),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
}
