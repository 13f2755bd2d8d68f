// worker.ts: a Cloudflare Worker. Secrets come from bindings (wrangler secret put PUSHER_APP_SECRET).
import {
  Pushwire,
  createChannelAuthHandler,
  createUserAuthHandler,
  toFetchHandler,
} from '../../src/sdk/index.ts';
import { authenticate, authorize, credentialsOf } from './decide.ts';

export interface Env {
  PUSHER_APP_ID: string;
  PUSHER_APP_KEY: string;
  PUSHER_APP_SECRET: string;
  PUSHER_HOST: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const sdk = new Pushwire({
      appId: env.PUSHER_APP_ID,
      key: env.PUSHER_APP_KEY,
      secret: env.PUSHER_APP_SECRET,
      host: env.PUSHER_HOST,
      useTLS: true,
    });
    const { pathname } = new URL(request.url);
    if (pathname === '/pusher/auth') {
      return toFetchHandler(
        createChannelAuthHandler<Request>({
          sdk,
          authorize: (req, context) => authorize(credentialsOf(req), context),
        }),
      )(request);
    }
    if (pathname === '/pusher/user-auth') {
      return toFetchHandler(
        createUserAuthHandler<Request>({
          sdk,
          authenticate: (req) => authenticate(credentialsOf(req)),
        }),
      )(request);
    }
    return new Response('Not found', { status: 404 });
  },
};
