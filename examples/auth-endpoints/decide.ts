// decide.ts: who may join what. The session store and the rules stand in for your app's own.
import type { AuthenticateDecision, AuthorizeDecision } from '../../src/sdk/index.ts';

interface Session {
  readonly user: { readonly id: string; readonly name: string };
  readonly csrfToken: string;
}

const sessions = new Map<string, Session>([
  ['s3cr3t', { user: { id: '42', name: 'Ada' }, csrfToken: 'tok-42' }],
]);

/** What the request carries: the session cookie, and the CSRF token (a header, or a param). */
export interface Credentials {
  readonly cookie: string | null | undefined;
  readonly csrfToken: string | null | undefined;
}

function sessionOf({ cookie, csrfToken }: Credentials): Session | undefined {
  const id = /(?:^|;\s*)session=([^;]+)/.exec(cookie ?? '')?.[1];
  const session = id === undefined ? undefined : sessions.get(id);
  return session && session.csrfToken === csrfToken ? session : undefined;
}

/** A user's own private channel, and any presence channel as a member. */
export function authorize(
  credentials: Credentials,
  { channelName }: { channelName: string },
): AuthorizeDecision {
  const user = sessionOf(credentials)?.user;
  if (!user) return false;
  if (channelName.startsWith('presence-')) {
    return { user_id: user.id, user_info: { name: user.name } };
  }
  return channelName === `private-user-${user.id}`;
}

/** The signed-in user for `pusher.signin()`. */
export function authenticate(credentials: Credentials): AuthenticateDecision {
  const user = sessionOf(credentials)?.user;
  return user && { id: user.id, user_info: { name: user.name } };
}

/** The credentials of a fetch `Request` (Hono, Next.js, Workers, Deno, Bun). */
export const credentialsOf = (request: Request): Credentials => ({
  cookie: request.headers.get('cookie'),
  csrfToken: request.headers.get('x-csrf-token'),
});
