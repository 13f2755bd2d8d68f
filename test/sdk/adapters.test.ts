/**
 * One conformance suite for every adapter, driven over real sockets: node:http, Express 5 with
 * and without body parsers, Fastify 5 and Hono, each on 127.0.0.1 port 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CSRF,
  sdk,
  startExpress,
  startFastify,
  startHono,
  startNodeHttp,
  type RunningApp,
} from './auth-app.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** `readsBody`: our adapter reads the body itself, so its 64 KiB limit applies (else the framework's). */
const frameworks: Array<[string, () => Promise<RunningApp>, { readsBody: boolean }]> = [
  ['node:http', startNodeHttp, { readsBody: true }],
  ['Express 5 (no body parser)', () => startExpress(false), { readsBody: true }],
  [
    'Express 5 (urlencoded extended + json parsers)',
    () => startExpress(true),
    { readsBody: false },
  ],
  ['Fastify 5', startFastify, { readsBody: false }],
  ['Hono', startHono, { readsBody: true }],
];

for (const [name, start, { readsBody }] of frameworks) {
  describe(`auth endpoints on ${name}`, () => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await start();
    });
    afterAll(async () => {
      await app.close();
    });

    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${app.url}${path}`, { method: 'POST', body, headers: { ...FORM, ...headers } });

    it('answers 200 JSON when the CSRF header is sent with a form body', async () => {
      const response = await post('/pusher/auth', 'socket_id=1.2&channel_name=private-a', {
        'x-csrf-token': CSRF,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(sdk.authorizeChannel('1.2', 'private-a'));
    });

    it('answers presence data when the body is JSON', async () => {
      const response = await post(
        '/pusher/auth',
        JSON.stringify({ socket_id: '1.2', channel_name: 'presence-r' }),
        {
          'content-type': 'application/json',
          'x-csrf-token': CSRF,
        },
      );
      expect(await response.json()).toEqual(
        sdk.authorizeChannel('1.2', 'presence-r', { user_id: 'u1', user_info: { name: 'Ü' } }),
      );
    });

    it('answers 403 when the CSRF header is missing', async () => {
      const response = await post('/pusher/auth', 'socket_id=1.2&channel_name=private-a');
      expect(response.status).toBe(403);
    });

    it('answers 400 when socket_id is invalid', async () => {
      const response = await post('/pusher/auth', 'socket_id=nope&channel_name=private-a', {
        'x-csrf-token': CSRF,
      });
      expect(response.status).toBe(400);
    });

    it('answers a pusher-js-auth batch with a status per channel', async () => {
      const body = '&socket_id=1.2&channel_name[0]=private-a&channel_name[1]=private-b-denied';
      const response = await post('/pusher/auth', body, { 'x-csrf-token': CSRF });
      expect(await response.json()).toEqual({
        'private-a': { status: 200, data: sdk.authorizeChannel('1.2', 'private-a') },
        'private-b-denied': { status: 403 },
      });
    });

    it('answers jsonp with application/javascript calling the callback', async () => {
      const callback = "Pusher.auth_callbacks['3']";
      const query = new URLSearchParams({
        callback,
        socket_id: '1.2',
        channel_name: 'private-a',
        ticket: 'ok',
      });
      const response = await fetch(`${app.url}/pusher/auth?${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(await response.text()).toBe(
        `${callback}(${JSON.stringify(sdk.authorizeChannel('1.2', 'private-a'))});`,
      );
    });

    it('answers 400 to a jsonp callback injection without echoing it', async () => {
      const query = new URLSearchParams({
        callback: 'alert(1)//',
        socket_id: '1.2',
        channel_name: 'private-a',
        ticket: 'ok',
      });
      const response = await fetch(`${app.url}/pusher/auth?${query}`);
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('alert');
    });

    it('answers the user endpoint with auth and user_data', async () => {
      const response = await post('/pusher/user-auth', 'socket_id=1.2', { 'x-csrf-token': CSRF });
      expect(await response.json()).toEqual(sdk.authenticateUser('1.2', { id: 'u1' }));
    });

    if (readsBody) {
      it('answers 413 when the body is larger than 64 KiB', async () => {
        const response = await post('/pusher/auth', `socket_id=1.2&pad=${'x'.repeat(70_000)}`, {
          'x-csrf-token': CSRF,
        });
        expect(response.status).toBe(413);
      });
    }

    it('refuses DELETE with 405 (or 404 where the framework routes GET and POST only)', async () => {
      const response = await fetch(`${app.url}/pusher/auth`, { method: 'DELETE' });
      expect([404, 405]).toContain(response.status);
    });
  });
}
