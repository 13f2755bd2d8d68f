/**
 * `createUserAuthHandler`: the `/pusher/user-auth` endpoint behind pusher-js `signin()`
 * (docs/protocol.md §13.2), over the `ajax` and (opt-in) `jsonp` transports.
 */
import type { Pushwire, UserChannelData } from '../pushwire.ts';
import { authSuccess, defaultOnError, denied, failed, prelude } from './prelude.ts';
import type { AuthEndpoint, AuthEndpointOptions, AuthHttpRequest, AuthTransport } from './types.ts';

export interface UserAuthContext {
  readonly socketId: string;
  readonly transport: AuthTransport;
  /** Other fields sent (pusher-js `params`). */
  readonly params: Readonly<Record<string, string>>;
}

/** The signed-in user (`id` required), or `false`/`null`/`undefined` to refuse (403). */
export type AuthenticateDecision = UserChannelData | false | null | undefined;

export interface UserAuthHandlerOptions<R> extends AuthEndpointOptions<R> {
  readonly sdk: Pick<Pushwire, 'authenticateUser'>;
  readonly authenticate: (
    request: R,
    context: UserAuthContext,
  ) => AuthenticateDecision | Promise<AuthenticateDecision>;
}

export function createUserAuthHandler<R>(options: UserAuthHandlerOptions<R>): AuthEndpoint<R> {
  const onError = options.onError ?? defaultOnError;
  return async (input: AuthHttpRequest<R>) => {
    const checked = prelude(input, options);
    if ('response' in checked) return checked.response;
    const { accepted } = checked;
    try {
      const user = await options.authenticate(input.request, {
        socketId: accepted.socketId,
        transport: accepted.transport,
        params: accepted.fields.params,
      });
      if (!user) return denied();
      return authSuccess(accepted, options.sdk.authenticateUser(accepted.socketId, user));
    } catch (error) {
      onError(error, input.request);
      return failed();
    }
  };
}
