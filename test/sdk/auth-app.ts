/**
 * The same pair of auth endpoints mounted on each framework the SDK adapts to, for the adapter
 * conformance suite. `authorize` checks a CSRF-style header, so the suite also proves custom
 * headers reach it untouched through every adapter.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  createChannelAuthHandler,
  createUserAuthHandler,
  fastifyAuthRoutes,
  handleFetchRequest,
  Pushwire,
  toFetchHandler,
  toNodeHandler,
  type ChannelAuthContext,
} from '../../src/sdk/index.ts';

export const sdk = new Pushwire({ appId: '1', key: 'app-key', secret: 'app-secret' });
export const CSRF = 'csrf-123';

export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

type HeaderBag =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

const header = (headers: HeaderBag, name: string): string | undefined => {
  if (typeof headers.get === 'function')
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
};

/** ajax needs the CSRF header; jsonp (no headers possible) needs `ticket=ok` in params. */
function allowed(
  headers: HeaderBag,
  context: { transport: string; params: Readonly<Record<string, string>> },
) {
  return context.transport === 'jsonp'
    ? context.params.ticket === 'ok'
    : header(headers, 'x-csrf-token') === CSRF;
}

function decide(headers: HeaderBag, context: ChannelAuthContext) {
  if (!allowed(headers, context) || context.channelName.endsWith('-denied')) return false;
  return context.channelName.startsWith('presence-')
    ? { user_id: 'u1', user_info: { name: 'Ü' } }
    : true;
}

function endpoints<R>(headersOf: (request: R) => HeaderBag) {
  return {
    channel: createChannelAuthHandler<R>({
      sdk,
      jsonp: true,
      authorize: (request, context) => decide(headersOf(request), context),
    }),
    user: createUserAuthHandler<R>({
      sdk,
      jsonp: true,
      authenticate: (request, context) =>
        allowed(headersOf(request), context) ? { id: 'u1' } : false,
    }),
  };
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listen = (server: Server) =>
  new Promise<RunningApp>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: urlOf(server),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );

/** Plain node:http: the adapter reads the body stream itself. */
export function startNodeHttp(): Promise<RunningApp> {
  const { channel, user } = endpoints<IncomingMessage>((request) => request.headers);
  const onChannel = toNodeHandler(channel);
  const onUser = toNodeHandler(user);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/pusher/auth') void onChannel(request, response);
    else if (path === '/pusher/user-auth') void onUser(request, response);
    else response.writeHead(404).end();
  });
  return listen(server);
}

/** Express 5, with or without its body parsers in front of the adapter. */
export function startExpress(withBodyParsers: boolean): Promise<RunningApp> {
  const app = express();
  if (withBodyParsers) app.use(express.urlencoded({ extended: true }), express.json());
  const { channel, user } = endpoints<express.Request>((request) => request.headers);
  app.all('/pusher/auth', toNodeHandler(channel));
  app.all('/pusher/user-auth', toNodeHandler(user));
  return listen(createServer(app));
}

export async function startFastify(): Promise<RunningApp> {
  const app = Fastify();
  type FastifyReq = { headers: Record<string, string | string[] | undefined> };
  const { channel, user } = endpoints<FastifyReq>((request) => request.headers);
  await app.register(fastifyAuthRoutes({ channelAuth: channel, userAuth: user }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Hono on @hono/node-server: the channel endpoint gets Hono's context, the user one the Request. */
export function startHono(): Promise<RunningApp> {
  const app = new Hono();
  const channel = endpoints<{ req: { raw: Request } }>((c) => c.req.raw.headers).channel;
  const user = endpoints<Request>((request) => request.headers).user;
  const onUser = toFetchHandler(user);
  app.on(['GET', 'POST'], '/pusher/auth', (c) => handleFetchRequest(channel, c.req.raw, c));
  app.on(['GET', 'POST'], '/pusher/user-auth', (c) => onUser(c.req.raw));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
