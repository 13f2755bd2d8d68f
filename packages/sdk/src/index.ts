/**
 * `pushwire/sdk`: the server SDK for app backends. A drop-in for the official `pusher` npm SDK,
 * plus ready-made auth endpoints. Loads on Node 20+, Deno, Bun and edge runtimes: nothing here
 * imports the server, `ws`, `ioredis` or `node:*` modules.
 */
export {
  Pushwire,
  type BatchEvent,
  type ChannelAuthResponse,
  type PostOptions,
  type PresenceChannelData,
  type RequestOptions,
  type SignedQueryStringOptions,
  type TriggerParams,
  type UserAuthResponse,
  type UserChannelData,
} from './pushwire.ts';
export type { PushwireOptions } from './options.ts';
export { Token } from './token.ts';
export {
  WebHook,
  type WebHookData,
  type WebHookEvent,
  type WebHookHeaders,
  type WebHookRequest,
} from './webhook.ts';
export { PushwireSdkError, RequestError, WebHookError, type SdkErrorCode } from './errors.ts';

// Ready-made auth endpoints: one core, thin adapters.
export {
  createChannelAuthHandler,
  type AuthorizeDecision,
  type ChannelAuthContext,
  type ChannelAuthHandlerOptions,
} from './handlers/channel-auth.ts';
export {
  createUserAuthHandler,
  type AuthenticateDecision,
  type UserAuthContext,
  type UserAuthHandlerOptions,
} from './handlers/user-auth.ts';
export { isSafeCallback, type JsonpCallbackRule } from './handlers/jsonp.ts';
export type {
  AuthEndpoint,
  AuthEndpointOptions,
  AuthHttpRequest,
  AuthHttpResponse,
  AuthTransport,
} from './handlers/types.ts';
export {
  toNodeHandler,
  type NodeHandlerOptions,
  type NodeRequestLike,
  type NodeResponseLike,
} from './adapters/node.ts';
export {
  fastifyAuthRoutes,
  toFastifyHandler,
  type FastifyAuthRoutesOptions,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from './adapters/fastify.ts';
export { handleFetchRequest, toFetchHandler, type FetchHandlerOptions } from './adapters/fetch.ts';
