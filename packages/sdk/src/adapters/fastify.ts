/**
 * The auth endpoints on Fastify. Fastify parses JSON bodies itself but refuses form-encoded
 * ones unless a parser is registered, and pusher-js sends form-encoded bodies; the plugin below
 * adds a text parser for them inside its own encapsulated scope. Typed structurally, so the SDK
 * does not depend on Fastify.
 */
import type { AuthEndpoint } from '../handlers/types.ts';

export interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): unknown;
}

export interface FastifyRouteLike {
  method: string | string[];
  url: string;
  handler(request: FastifyRequestLike, reply: FastifyReplyLike): unknown;
}

/** The part of a Fastify instance the plugin uses (methods: checked bivariantly, on purpose). */
export interface FastifyInstanceLike {
  hasContentTypeParser(contentType: string): boolean;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'string' },
    parser: (
      request: unknown,
      body: string,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): unknown;
  route(options: FastifyRouteLike): unknown;
}

const FORM = 'application/x-www-form-urlencoded';

/** A route handler: `fastify.post('/pusher/auth', toFastifyHandler(endpoint))`. */
export function toFastifyHandler<R extends FastifyRequestLike>(endpoint: AuthEndpoint<R>) {
  return async (request: R, reply: FastifyReplyLike): Promise<unknown> => {
    const contentType = request.headers['content-type'];
    const result = await endpoint({
      method: request.method.toUpperCase(),
      query: new URL(request.url, 'http://localhost').searchParams,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body: request.body as string | Record<string, unknown> | undefined,
      request,
    });
    return reply.code(result.status).headers(result.headers).send(result.body);
  };
}

export interface FastifyAuthRoutesOptions {
  readonly channelAuth?: AuthEndpoint<never>;
  readonly userAuth?: AuthEndpoint<never>;
  /** Default `/pusher/auth`. */
  readonly channelAuthPath?: string;
  /** Default `/pusher/user-auth`. */
  readonly userAuthPath?: string;
}

/**
 * A plugin for `fastify.register(...)` that routes GET and POST of the auth paths to the
 * endpoints and, within its scope only, reads form-encoded bodies as text.
 */
export function fastifyAuthRoutes(options: FastifyAuthRoutesOptions) {
  return async (instance: FastifyInstanceLike): Promise<void> => {
    if (!instance.hasContentTypeParser(FORM)) {
      instance.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
        done(null, body);
      });
    }
    const routes: Array<[string, AuthEndpoint<never> | undefined]> = [
      [options.channelAuthPath ?? '/pusher/auth', options.channelAuth],
      [options.userAuthPath ?? '/pusher/user-auth', options.userAuth],
    ];
    for (const [url, endpoint] of routes) {
      if (endpoint === undefined) continue;
      const handler = toFastifyHandler(endpoint as AuthEndpoint<FastifyRequestLike>);
      instance.route({ method: ['GET', 'POST'], url, handler });
    }
  };
}
