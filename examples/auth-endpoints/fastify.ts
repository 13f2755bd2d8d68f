// fastify.ts
import Fastify, { type FastifyRequest } from 'fastify';
import {
  createChannelAuthHandler,
  createUserAuthHandler,
  fastifyAuthRoutes,
} from '../../src/sdk/index.ts';
import { authenticate, authorize } from './decide.ts';
import { sdk } from './sdk.ts';

export const app = Fastify();

const credentials = (request: FastifyRequest) => ({
  cookie: request.headers.cookie,
  csrfToken: request.headers['x-csrf-token'] as string | undefined,
});

// Adds a form-body parser (pusher-js posts form-encoded) inside the plugin's own scope.
await app.register(
  fastifyAuthRoutes({
    channelAuth: createChannelAuthHandler<FastifyRequest>({
      sdk,
      authorize: (request, context) => authorize(credentials(request), context),
    }),
    userAuth: createUserAuthHandler<FastifyRequest>({
      sdk,
      authenticate: (request) => authenticate(credentials(request)),
    }),
  }),
);
