/**
 * A local server of auth endpoints, each broken in one way an app's endpoint breaks in the wild,
 * plus the SDK's own handlers on the node adapter, which must pass every check.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Pushwire,
  createChannelAuthHandler,
  createUserAuthHandler,
  toNodeHandler,
} from '../../src/sdk/index.ts';

export const KEY = 'app-key';
export const SECRET = 'shop-secret';
export const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

const sdk = new Pushwire({
  appId: 'shop',
  key: KEY,
  secret: SECRET,
  encryptionMasterKeyBase64: MASTER_KEY,
});
const sign = (text: string, secret = SECRET) =>
  createHmac('sha256', secret).update(text).digest('hex');

const member = { user_id: 'u-1', user_info: { name: 'Ada' } };

const channelAuth = toNodeHandler(
  createChannelAuthHandler<IncomingMessage>({
    sdk,
    jsonp: true,
    authorize: (request, { channelName }) => {
      if (channelName.includes('denied')) return false;
      if (channelName === 'private-needs-csrf') {
        return (
          request.headers['x-csrf-token'] === 'tok' && request.headers.cookie === 'session=abc'
        );
      }
      return channelName.startsWith('presence-') ? member : true;
    },
  }),
);
const userAuth = toNodeHandler(
  createUserAuthHandler<IncomingMessage>({
    sdk,
    jsonp: true,
    authenticate: () => ({ id: 'u-1', user_info: { name: 'Ada' } }),
  }),
);

interface Fields {
  socket: string;
  channel: string;
  callback: string | null;
}

type Broken = (fields: Fields) => { status?: number; type?: string; body: unknown; raw?: boolean };

/** The right answer, built by the SDK, for the breakages that change one part of it. */
const right = ({ socket, channel }: Fields) =>
  sdk.authorizeChannel(socket, channel, channel.startsWith('presence-') ? member : undefined);

const presenceData = JSON.stringify(member);

const broken: Record<string, Broken> = {
  'sig-channel-only': ({ channel }) => ({ body: { auth: `${KEY}:${sign(channel)}` } }),
  'sig-swapped': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${channel}:${socket}`)}` },
  }),
  'sig-other-secret': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`, 'another-secret')}` },
  }),
  'sig-key-as-secret': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`, KEY)}` },
  }),
  'sig-upper': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`).toUpperCase()}` },
  }),
  'sig-base64': ({ socket, channel }) => ({
    body: {
      auth: `${KEY}:${createHmac('sha256', SECRET).update(`${socket}:${channel}`).digest('base64')}`,
    },
  }),
  'wrong-key': ({ socket, channel }) => ({
    body: { auth: `other-key:${sign(`${socket}:${channel}`)}` },
  }),
  'no-auth': () => ({ body: { token: 'x' } }),
  'not-json': () => ({ type: 'application/json', body: 'auth=app-key:abc', raw: true }),
  html: () => ({
    type: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html><h1>Whoops, looks like something went wrong.</h1>',
    raw: true,
  }),
  'text-plain': (fields) => ({
    type: 'text/plain',
    body: JSON.stringify(right(fields)),
    raw: true,
  }),
  'json-charset': (fields) => ({ type: 'application/json; charset=utf-8', body: right(fields) }),
  'no-channel-data': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`)}` },
  }),
  'channel-data-object': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}:${presenceData}`)}`, channel_data: member },
  }),
  'channel-data-not-json': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}:{user_id}`)}`, channel_data: '{user_id}' },
  }),
  'bad-user-id': ({ socket, channel }) => {
    const data = JSON.stringify({ user_id: '', user_info: {} });
    return { body: { auth: `${KEY}:${sign(`${socket}:${channel}:${data}`)}`, channel_data: data } };
  },
  'big-user-info': ({ socket, channel }) => {
    const data = JSON.stringify({ user_id: 'u', user_info: { bio: 'x'.repeat(2000) } });
    return { body: { auth: `${KEY}:${sign(`${socket}:${channel}:${data}`)}`, channel_data: data } };
  },
  'numeric-user-id': ({ socket, channel }) => {
    const data = JSON.stringify({ user_id: 1265 });
    return { body: { auth: `${KEY}:${sign(`${socket}:${channel}:${data}`)}`, channel_data: data } };
  },
  'presence-sig-without-data': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`)}`, channel_data: presenceData },
  }),
  'presence-reserialized': ({ socket, channel }) => ({
    body: {
      auth: `${KEY}:${sign(`${socket}:${channel}:${presenceData}`)}`,
      channel_data: JSON.stringify(member, null, 2),
    },
  }),
  'no-shared-secret': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`)}` },
  }),
  'short-shared-secret': ({ socket, channel }) => ({
    body: { auth: `${KEY}:${sign(`${socket}:${channel}`)}`, shared_secret: 'c2hvcnQ=' },
  }),
  'allow-all': (fields) => ({ body: right(fields) }),
  'status-500': () => ({ status: 500, body: { error: 'boom' } }),
  'status-419': () => ({
    status: 419,
    type: 'text/html',
    body: '<h1>Page Expired</h1>',
    raw: true,
  }),
  'status-404': () => ({ status: 404, body: { error: 'not found' } }),
  'status-401-deny': (fields) =>
    fields.channel.includes('denied') ? { status: 401, body: {} } : { body: right(fields) },
  // JSONP endpoints.
  'jsonp-plain-json': (fields) => ({ body: right(fields) }),
  'jsonp-echo': (fields) => ({
    type: 'application/javascript',
    body: `${fields.callback}(${JSON.stringify(right(fields))});`,
    raw: true,
  }),
  'jsonp-strip': (fields) => ({
    type: 'application/javascript',
    body: `${(fields.callback ?? '').replace(/[^\w$.[\]']/g, '')}(${JSON.stringify(right(fields))});`,
    raw: true,
  }),
  // User authentication.
  'user-single-colons': ({ socket }) => {
    const data = JSON.stringify({ id: 'u-1' });
    return { body: { auth: `${KEY}:${sign(`${socket}:user:${data}`)}`, user_data: data } };
  },
  'user-numeric-id': ({ socket }) => {
    const data = JSON.stringify({ id: 42 });
    return { body: { auth: `${KEY}:${sign(`${socket}::user::${data}`)}`, user_data: data } };
  },
  'user-no-user-data': ({ socket }) => ({ body: { auth: `${KEY}:${sign(`${socket}::user::`)}` } }),
};

async function readFields(request: IncomingMessage, url: URL): Promise<Fields> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  const form = request.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
  return {
    socket: form.get('socket_id') ?? '',
    channel: form.get('channel_name') ?? '',
    callback: url.searchParams.get('callback'),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const name = url.pathname.slice(1);
  if (name === 'sdk/auth') return void (await channelAuth(request, response));
  if (name === 'sdk/user-auth') return void (await userAuth(request, response));
  if (name === 'redirect') {
    response.writeHead(302, { location: '/login' }).end();
    return;
  }
  const breakage = broken[name];
  if (!breakage) {
    response.writeHead(404).end();
    return;
  }
  const fields = await readFields(request, url);
  const answer = breakage(fields);
  response.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' });
  response.end(answer.raw ? String(answer.body) : JSON.stringify(answer.body));
}

export async function startBrokenEndpoints(): Promise<{ base: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
