/**
 * `createChannelAuthHandler`: the `/pusher/auth` endpoint for private, presence and encrypted
 * channels, over pusher-js's `ajax` and `jsonp` transports and the pusher-js-auth batch format
 * (docs/protocol.md §13.1, §13.3, §13.5). The app decides; the SDK signs.
 */
import type { ChannelAuthResponse, PresenceChannelData, Pushwire } from '../pushwire.ts';
import { validateChannelName } from '../validate.ts';
import { authSuccess, defaultOnError, denied, failed, prelude, type Accepted } from './prelude.ts';
import { errorResponse, jsonResponse } from './responses.ts';
import type { AuthEndpoint, AuthEndpointOptions, AuthHttpRequest, AuthTransport } from './types.ts';

export interface ChannelAuthContext {
  readonly socketId: string;
  readonly channelName: string;
  readonly transport: AuthTransport;
  /** True when this channel came in a pusher-js-auth batch. */
  readonly batch: boolean;
  /** Other fields sent (pusher-js `params`), e.g. a token for the jsonp transport. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * `true` allows a private or encrypted channel; presence data allows a presence channel;
 * `false`, `null` or `undefined` deny (403). On a presence channel `true` signs without
 * `channel_data`, which the server accepts only from a signed-in connection (docs/protocol.md §5.5).
 * On other channels presence data just allows: it means nothing there. [U]
 */
export type AuthorizeDecision = boolean | PresenceChannelData | null | undefined;

export interface ChannelAuthHandlerOptions<R> extends AuthEndpointOptions<R> {
  readonly sdk: Pick<Pushwire, 'authorizeChannel'>;
  readonly authorize: (
    request: R,
    context: ChannelAuthContext,
  ) => AuthorizeDecision | Promise<AuthorizeDecision>;
  /** Most channels one batched request may carry; more gets 400. Default 100. [U] */
  readonly maxBatchSize?: number;
}

type Outcome = { status: 200; body: ChannelAuthResponse } | { status: 400 | 403 | 500 };

const isPresence = (channel: string) => channel.startsWith('presence-');

export function createChannelAuthHandler<R>(
  options: ChannelAuthHandlerOptions<R>,
): AuthEndpoint<R> {
  const onError = options.onError ?? defaultOnError;
  const maxBatch = options.maxBatchSize ?? 100;

  async function decide(
    request: R,
    accepted: Accepted,
    channelName: unknown,
    batch: boolean,
  ): Promise<Outcome> {
    try {
      validateChannelName(channelName);
    } catch {
      return { status: 400 };
    }
    try {
      const context: ChannelAuthContext = {
        socketId: accepted.socketId,
        channelName,
        transport: accepted.transport,
        batch,
        params: accepted.fields.params,
      };
      const decision = await options.authorize(request, context);
      if (decision === false || decision === null || decision === undefined) return { status: 403 };
      const presence = decision !== true && isPresence(channelName) ? decision : undefined;
      return {
        status: 200,
        body: options.sdk.authorizeChannel(accepted.socketId, channelName, presence),
      };
    } catch (error) {
      onError(error, request);
      return { status: 500 };
    }
  }

  return async (input: AuthHttpRequest<R>) => {
    const checked = prelude(input, options);
    if ('response' in checked) return checked.response;
    const { accepted } = checked;
    const channel = accepted.fields.channel;
    if (channel === undefined) return errorResponse(400, 'Missing channel_name parameter');

    if (channel.kind === 'single') {
      const outcome = await decide(input.request, accepted, channel.name, false);
      if (outcome.status === 200) return authSuccess(accepted, outcome.body);
      if (outcome.status === 400) return errorResponse(400, 'Invalid channel_name parameter');
      return outcome.status === 403 ? denied() : failed();
    }

    if (accepted.transport === 'jsonp') {
      return errorResponse(400, 'Batched channel_name[N] requests must use POST');
    }
    const names = channel.names;
    if (names.length === 0 || names.length > maxBatch) {
      return errorResponse(400, `A batch must name 1 to ${maxBatch} channels`);
    }
    if (!names.every((name): name is string => typeof name === 'string')) {
      return errorResponse(400, 'Invalid channel_name[N] parameter');
    }
    // Each channel is decided on its own; one failure never fails the others.
    const unique = [...new Set(names)];
    const outcomes = await Promise.all(
      unique.map((name) => decide(input.request, accepted, name, true)),
    );
    // No prototype: a channel may be called `__proto__` (its characters are all allowed).
    const body: Record<string, { status: number; data?: ChannelAuthResponse }> =
      Object.create(null);
    unique.forEach((name, i) => {
      const outcome = outcomes[i] as Outcome;
      body[name] =
        outcome.status === 200 ? { status: 200, data: outcome.body } : { status: outcome.status };
    });
    return jsonResponse(200, body);
  };
}
