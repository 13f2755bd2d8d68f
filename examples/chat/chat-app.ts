/**
 * The chat web app: login, cookie session, CSRF token, the chat page, its channel auth endpoint
 * (built with the SDK; ajax for the page, jsonp for the page on the other port) and the message
 * endpoint that publishes with the SDK.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
// In an app of your own: import { ... } from '@pushwire/sdk';
import {
  createChannelAuthHandler,
  toNodeHandler,
  type ChannelAuthContext,
  type Pushwire,
} from '../../src/sdk/index.ts';
import { chatPage, loginPage } from './pages.ts';
import { SESSION_COOKIE, type SessionStore, type TicketIssuer } from './sessions.ts';

export const CHAT_CHANNEL = 'presence-chat';
export const JSONP_CHANNEL = 'private-jsonp-demo';
const MAX_MESSAGE_LENGTH = 500;

const PUSHER_JS = createRequire(import.meta.url).resolve('pusher-js/dist/web/pusher.min.js');
const PUBLIC_DIR = new URL('./public/', import.meta.url);

export interface ChatAppOptions {
  readonly sdk: Pushwire;
  readonly sessions: SessionStore;
  readonly tickets: TicketIssuer;
  /** Where browsers reach the Pushwire WebSocket endpoint. */
  readonly ws: { host: string; port: number };
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer) {
  response.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
  response.end(body);
}

async function readText(request: IncomingMessage, limit = 16 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > limit) throw new Error('body too large');
  }
  return text;
}

export function createChatApp(options: ChatAppOptions): Server {
  const { sdk, sessions, tickets } = options;

  /**
   * ajax (this app's page): the session cookie plus the CSRF header. jsonp (the other port):
   * no cookie is trusted, because any site could include the script; a ticket is required.
   */
  const authorize = (request: IncomingMessage, context: ChannelAuthContext) => {
    if (context.transport === 'jsonp') {
      return context.channelName === JSONP_CHANNEL && tickets.isValid(context.params.ticket);
    }
    const session = sessions.fromCookie(request.headers.cookie);
    if (!session || !sessions.checkCsrf(session, request.headers['x-csrf-token'])) return false;
    if (context.channelName !== CHAT_CHANNEL) return false;
    return { user_id: session.user.id, user_info: { name: session.user.name } };
  };
  const channelAuth = toNodeHandler(createChannelAuthHandler({ sdk, authorize, jsonp: true }));

  async function postMessage(request: IncomingMessage, response: ServerResponse) {
    const session = sessions.fromCookie(request.headers.cookie);
    if (!session || !sessions.checkCsrf(session, request.headers['x-csrf-token'])) {
      return send(response, 403, 'application/json', '{"error":"Forbidden"}');
    }
    const { text } = JSON.parse(await readText(request)) as { text?: unknown };
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_MESSAGE_LENGTH) {
      return send(response, 400, 'application/json', '{"error":"text must be 1-500 characters"}');
    }
    const message = { from: session.user.name, userId: session.user.id, text, via: 'server' };
    await sdk.trigger(CHAT_CHANNEL, 'message', message);
    response.writeHead(204).end();
  }

  async function login(request: IncomingMessage, response: ServerResponse) {
    const form = new URLSearchParams(await readText(request));
    const session = sessions.login(form.get('user') ?? '', form.get('password') ?? '');
    if (!session)
      return send(response, 401, 'text/html; charset=utf-8', loginPage('Wrong user or password.'));
    response.writeHead(303, {
      location: '/chat',
      'set-cookie': `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`,
    });
    response.end();
  }

  function logout(request: IncomingMessage, response: ServerResponse) {
    const session = sessions.fromCookie(request.headers.cookie);
    if (session) sessions.logout(session.id);
    response.writeHead(303, {
      location: '/',
      'set-cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0`,
    });
    response.end();
  }

  async function route(request: IncomingMessage, response: ServerResponse) {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const session = sessions.fromCookie(request.headers.cookie);
    if (pathname === '/pusher/auth') return channelAuth(request, response);
    if (method === 'GET' && pathname === '/') {
      if (session) return response.writeHead(303, { location: '/chat' }).end();
      return send(response, 200, 'text/html; charset=utf-8', loginPage());
    }
    if (method === 'POST' && pathname === '/login') return login(request, response);
    if (method === 'POST' && pathname === '/logout') return logout(request, response);
    if (method === 'POST' && pathname === '/messages') return postMessage(request, response);
    if (method === 'GET' && pathname === '/chat') {
      const user = session ? { id: session.user.id, name: session.user.name } : null;
      const config = {
        key: sdk.config.key,
        wsHost: options.ws.host,
        wsPort: options.ws.port,
        csrfToken: session?.csrfToken ?? null,
        user,
      };
      return send(response, 200, 'text/html; charset=utf-8', chatPage(config));
    }
    if (method === 'GET' && pathname === '/vendor/pusher.min.js') {
      return send(response, 200, 'application/javascript', await readFile(PUSHER_JS));
    }
    if (method === 'GET' && pathname === '/static/chat.js') {
      return send(
        response,
        200,
        'application/javascript',
        await readFile(new URL('chat.js', PUBLIC_DIR)),
      );
    }
    send(response, 404, 'text/plain', 'Not found');
  }

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      console.error('[chat]', error);
      if (!response.headersSent) send(response, 500, 'text/plain', 'Internal error');
      else response.end();
    });
  });
}
