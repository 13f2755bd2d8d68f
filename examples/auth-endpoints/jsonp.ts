// jsonp.ts: the jsonp transport, for a page on another origin without CORS. A script tag sends
// no headers, so the CSRF token travels as a param; `jsonp: true` turns the GET route on.
import type { IncomingMessage } from 'node:http';
import { createChannelAuthHandler, toNodeHandler } from '../../src/sdk/index.ts';
import { authorize } from './decide.ts';
import { sdk } from './sdk.ts';

export const channelAuth = toNodeHandler(
  createChannelAuthHandler<IncomingMessage>({
    sdk,
    jsonp: true,
    authorize: (req, context) =>
      authorize(
        {
          cookie: req.headers.cookie,
          csrfToken:
            context.transport === 'jsonp'
              ? context.params.csrf_token
              : (req.headers['x-csrf-token'] as string | undefined),
        },
        context,
      ),
  }),
);

export const jsonpClientOptions = (csrfToken: string, origin: string) => ({
  channelAuthorization: {
    endpoint: `${origin}/pusher/auth`,
    transport: 'jsonp' as const,
    params: { csrf_token: csrfToken },
  },
});
