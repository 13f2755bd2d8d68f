// main.ts: `deno serve --allow-net --allow-env main.ts`, or `bun run main.ts` (port 3000).
import {
  createChannelAuthHandler,
  createUserAuthHandler,
  toFetchHandler,
} from '../../src/sdk/index.ts';
import { authenticate, authorize, credentialsOf } from './decide.ts';
import { sdk } from './sdk.ts';

const channelAuth = toFetchHandler(
  createChannelAuthHandler<Request>({
    sdk,
    authorize: (request, context) => authorize(credentialsOf(request), context),
  }),
);
const userAuth = toFetchHandler(
  createUserAuthHandler<Request>({
    sdk,
    authenticate: (request) => authenticate(credentialsOf(request)),
  }),
);

export default {
  fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/pusher/auth') return channelAuth(request);
    if (pathname === '/pusher/user-auth') return userAuth(request);
    return Promise.resolve(new Response('Not found', { status: 404 }));
  },
};
