/**
 * Verifies `pusher:signin` (docs/protocol.md §8.1): HMAC over `socket_id::user::user_data`, with
 * `user_data` an object whose `id` is a non-empty string. Pure.
 */
import { userStringToSign, verifyAuth } from '../auth/signatures.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { eventDataObject } from '../protocol/frames.ts';
import { decodeJsonObject } from '../protocol/json.ts';
import { isValidUserId } from '../protocol/names.ts';
import type { SignedInUser } from './authorize.ts';

export const MAX_WATCHLIST = 100;

export interface SignInContext {
  readonly app: { key: string; secret: string; enableUserAuthentication: boolean };
  readonly socketId: string;
  readonly current: SignedInUser | undefined;
  readonly data: unknown;
}

export type SignInResult =
  | {
      ok: true;
      user: SignedInUser;
      /** The exact string received, echoed in `signin_success`. */
      userData: string;
      watchlist: string[];
      watchlistTruncated: boolean;
    }
  | { ok: false; code: number; message: string };

/**
 * [U] Failures answer `pusher:error` with code 4009 and leave the socket open (§8.1, §16.2):
 * closing with 4009 would stop pusher-js from ever reconnecting.
 */
const refuse = (message: string): SignInResult => ({
  ok: false,
  code: ErrorCode.Unauthorized,
  message,
});

export function signIn(context: SignInContext): SignInResult {
  const { app, socketId, current } = context;
  if (!app.enableUserAuthentication)
    return refuse('User authentication is not enabled for this app');
  const payload = eventDataObject(context.data);
  if (!payload.ok) return refuse(`Invalid pusher:signin: ${payload.problem}`);
  const { auth, user_data: userData } = payload.value;
  if (typeof userData !== 'string')
    return refuse('Invalid pusher:signin: user_data must be a string');
  const check = verifyAuth(auth, app, userStringToSign(socketId, userData));
  if (!check.ok) return refuse(check.problem);
  const parsed = decodeJsonObject(userData);
  if (!parsed.ok) return refuse(`user_data ${parsed.problem}`);
  const { id, user_info: userInfo, watchlist } = parsed.value;
  if (!isValidUserId(id))
    return refuse('user_data.id must be a non-empty string of channel-name characters');
  if (current && current.id !== id)
    return refuse(`Connection is already signed in as ${current.id}`);
  const ids = Array.isArray(watchlist)
    ? watchlist.filter((w): w is string => isValidUserId(w))
    : [];
  return {
    ok: true,
    user: { id, userInfo },
    userData,
    watchlist: ids.slice(0, MAX_WATCHLIST),
    watchlistTruncated: ids.length > MAX_WATCHLIST,
  };
}
