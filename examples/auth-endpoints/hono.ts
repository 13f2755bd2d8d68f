// hono.ts
import { Hono, type Context } from 'hono';
import {
  createChannelAuthHandler,
  createUserAuthHandler,
  handleFetchRequest,
} from '../../src/sdk/index.ts';
import { authenticate, authorize, credentialsOf } from './decide.ts';
import { sdk } from './sdk.ts';

const channelAuth = createChannelAuthHandler<Context>({
  sdk,
  authorize: (c, context) => authorize(credentialsOf(c.req.raw), context),
});
const userAuth = createUserAuthHandler<Context>({
  sdk,
  authenticate: (c) => authenticate(credentialsOf(c.req.raw)),
});

export const app = new Hono();
// `c` reaches authorize, with whatever your middleware put on it (c.get('user'), …).
app.post('/pusher/auth', (c) => handleFetchRequest(channelAuth, c.req.raw, c));
app.post('/pusher/user-auth', (c) => handleFetchRequest(userAuth, c.req.raw, c));
