// express.ts
import express from 'express';
import {
  createChannelAuthHandler,
  createUserAuthHandler,
  toNodeHandler,
} from '../../src/sdk/index.ts';
import { authenticate, authorize } from './decide.ts';
import { sdk } from './sdk.ts';

export const app = express();

const credentials = (req: express.Request) => ({
  cookie: req.headers.cookie,
  csrfToken: req.get('x-csrf-token'),
});

app.post(
  '/pusher/auth',
  toNodeHandler(
    createChannelAuthHandler<express.Request>({
      sdk,
      authorize: (req, context) => authorize(credentials(req), context),
    }),
  ),
);
app.post(
  '/pusher/user-auth',
  toNodeHandler(
    createUserAuthHandler<express.Request>({
      sdk,
      authenticate: (req) => authenticate(credentials(req)),
    }),
  ),
);
