// app/pusher/auth/route.ts (and the same with createUserAuthHandler in app/pusher/user-auth/)
import { createChannelAuthHandler, toFetchHandler } from '../../src/sdk/index.ts';
import { authorize, credentialsOf } from './decide.ts';
import { sdk } from './sdk.ts';

export const POST = toFetchHandler(
  createChannelAuthHandler<Request>({
    sdk,
    authorize: (request, context) => authorize(credentialsOf(request), context),
  }),
);
