/**
 * docs/auth-endpoints.md, run: every sample on the page is the file beside this test, each server
 * sample passes `check-auth` (the page's own commands), and the client samples subscribe and sign
 * in through them with the real pusher-js on a real Pushwire.
 */
import { serve } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/index.ts';
import { checkAuthCommand } from '../../src/tools/check-auth/command.ts';
import { docBlocks, expectSampleMatchesFile } from '../../test/helpers/doc-samples.ts';
import { Pusher, type PusherClient } from '../../test/helpers/pusher-js.ts';

const PAGE = 'docs/auth-endpoints.md';
const SESSION = 'session=s3cr3t';

let pw: TestServer;
const closers: Array<() => Promise<unknown>> = [];
const clients: PusherClient[] = [];

beforeAll(async () => {
  pw = await startTestServer({ app: { id: '1', key: 'app-key' } });
  // Read by the samples' sdk.ts when it is first imported.
  process.env.PUSHER_APP_SECRET = pw.credentials.secret;
  process.env.PUSHER_PORT = String(pw.credentials.port);
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await Promise.all(closers.map((close) => close()));
  await pw.stop();
});

type FetchHandler = (request: Request) => Response | Promise<Response>;

function listenFetch(fetch: FetchHandler): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      closers.push(() => new Promise((done) => server.close(done)));
      resolve(`http://127.0.0.1:${info.port}`);
    });
  });
}

async function listenNode(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((done) => server.close(done)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A browser's cookie jar, for pusher-js in Node: adds the session cookie to every request. */
const withSessionCookie =
  (handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void) =>
  (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    req.headers.cookie ??= SESSION;
    handler(req, res);
  };

/** The page's `pushwire check-auth` commands, split as a shell would. */
function pageCommands(): string[][] {
  const block = docBlocks(PAGE).find((b) => b.sample === 'check-auth');
  if (!block) throw new Error('the check-auth sample is missing');
  const text = block.code.replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .filter((line) => line.startsWith('pushwire check-auth'))
    .map((line) =>
      [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)]
        .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
        .map((word) => word.replace('$PUSHER_APP_SECRET', pw.credentials.secret))
        .slice(2),
    );
}

/** Runs a page command against `base` instead of localhost:3000; resolves with its exit code. */
async function checkAuth(args: string[], base: string, path?: string): Promise<number> {
  let out = '';
  const rewritten = args.map((arg) =>
    arg.startsWith('http://localhost:3000')
      ? base + (path ?? arg.slice('http://localhost:3000'.length))
      : arg,
  );
  const code = await checkAuthCommand(rewritten, {
    out: (text) => void (out += text),
    err: (text) => void (out += text),
  });
  if (code !== 0) console.error(out);
  return code;
}

describe('docs/auth-endpoints.md', () => {
  it('shows every sample as the file it names', async () => {
    const blocks = docBlocks(PAGE);
    expect(blocks.filter((b) => !b.sample)).toEqual([]);
    for (const block of blocks.filter((b) => b.sample !== 'check-auth')) {
      await expectSampleMatchesFile(block);
    }
    expect(blocks.length).toBeGreaterThanOrEqual(12);
  });

  const [channelCommand, userCommand, jsonpCommand] = [0, 1, 2];

  it('Express passes check-auth, channels and user', async () => {
    const { app } = await import('./express.ts');
    const base = await listenNode(createServer(app));
    const commands = pageCommands();
    expect(await checkAuth(commands[channelCommand] ?? [], base)).toBe(0);
    expect(await checkAuth(commands[userCommand] ?? [], base)).toBe(0);
  });

  it('Fastify passes check-auth', async () => {
    const { app } = await import('./fastify.ts');
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const commands = pageCommands();
    expect(await checkAuth(commands[channelCommand] ?? [], base)).toBe(0);
    expect(await checkAuth(commands[userCommand] ?? [], base)).toBe(0);
  });

  it('Hono, Next.js, Workers, Deno and Bun pass check-auth as fetch handlers', async () => {
    const { app } = await import('./hono.ts');
    const { POST } = await import('./nextjs-route.ts');
    const worker = (await import('./worker.ts')).default;
    const denoBun = (await import('./deno-bun.ts')).default;
    const env = {
      PUSHER_APP_ID: '1',
      PUSHER_APP_KEY: 'app-key',
      PUSHER_APP_SECRET: pw.credentials.secret,
      PUSHER_HOST: '127.0.0.1',
    };
    const handlers: Array<[string, FetchHandler, boolean]> = [
      ['hono', (request) => app.fetch(request), true],
      ['next.js', POST, false],
      ['worker', (request) => worker.fetch(request, env), true],
      ['deno/bun', (request) => denoBun.fetch(request), true],
    ];
    const commands = pageCommands();
    for (const [name, handler, userAuth] of handlers) {
      const base = await listenFetch(handler);
      expect(await checkAuth(commands[channelCommand] ?? [], base), name).toBe(0);
      if (userAuth) expect(await checkAuth(commands[userCommand] ?? [], base), name).toBe(0);
    }
  });

  it('the JSONP endpoint passes check-auth with the token as a param', async () => {
    const { channelAuth, jsonpClientOptions } = await import('./jsonp.ts');
    expect(jsonpClientOptions('tok-42', '').channelAuthorization.params).toEqual({
      csrf_token: 'tok-42',
    });
    const base = await listenNode(createServer((req, res) => void channelAuth(req, res)));
    expect(await checkAuth(pageCommands()[jsonpCommand] ?? [], base)).toBe(0);
  });

  /** The Express sample, as a browser on its origin reaches it. */
  async function expressWithCookies(): Promise<string> {
    const { app } = await import('./express.ts');
    return listenNode(createServer(withSessionCookie(app)));
  }

  const connect = (options: Record<string, unknown>, key = 'app-key') => {
    const client = new Pusher(key, { ...pw.pusherJsOptions, ...options });
    clients.push(client);
    return client;
  };
  const succeeded = (client: PusherClient, channel: string) =>
    new Promise<void>((resolve, reject) => {
      const subscription = client.subscribe(channel);
      subscription.bind('pusher:subscription_succeeded', () => resolve());
      subscription.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(`${channel}: ${JSON.stringify(error)}`)),
      );
    });

  it('pusher-js subscribes and signs in with the client options', async () => {
    const { authOptions } = await import('./client.ts');
    const base = await expressWithCookies();
    const client = connect(authOptions('tok-42', base));
    await succeeded(client, 'private-user-42');
    await succeeded(client, 'presence-lobby');
    await pw.expectMember('presence-lobby', '42');
    client.signin();
    await expect.poll(() => client.user.user_data?.id, { timeout: 8_000 }).toBe('42');
  });

  it('Laravel Echo settings connect and authorize, in pusher and reverb modes', async () => {
    const { echoPusherMode, echoReverbMode } = await import('./echo.ts');
    const base = await expressWithCookies();
    const { host, port } = pw.credentials;
    // What Echo does with its options: pusher-js with them, the endpoint made absolute here
    // (a browser resolves /broadcasting/auth against the page), cluster '' in reverb mode.
    const pusherMode = echoPusherMode(host, port, 'tok-42');
    const endpoint = { authEndpoint: `${base}/pusher/auth` };
    await succeeded(connect({ ...pusherMode, ...endpoint }, pusherMode.key), 'private-user-42');
    const reverbMode = echoReverbMode(host, port);
    const reverb = connect({
      ...reverbMode,
      cluster: '',
      ...endpoint,
      auth: { headers: { 'X-CSRF-TOKEN': 'tok-42' } },
    });
    await succeeded(reverb, 'presence-lobby');
  });

  it('pusher-js-auth batches the subscriptions into one request', async () => {
    const sample: string = './batch.mjs'; // plain JS, imported untyped
    const { batchOptions } = (await import(sample)) as {
      batchOptions: (token: string, origin: string) => Record<string, unknown>;
    };
    const { app } = await import('./express.ts');
    let requests = 0;
    const base = await listenNode(
      createServer(
        withSessionCookie((req, res) => {
          requests++;
          app(req, res);
        }),
      ),
    );
    const client = connect(batchOptions('tok-42', base));
    const refused = new Promise((resolve) =>
      client.subscribe('private-user-7').bind('pusher:subscription_error', resolve),
    );
    await Promise.all([
      succeeded(client, 'private-user-42'),
      succeeded(client, 'presence-lobby'),
      refused,
    ]);
    expect(requests).toBe(1);
  });
});
