/**
 * Decides whether a socket may subscribe to a channel (docs/protocol.md §5.3-§5.5, §8.2). Pure: it
 * sees the app, the socket id, the signed-in user and the subscribe payload, nothing else.
 */
import type { PresenceMember } from '../adapter/adapter.ts';
import { channelStringToSign, verifyAuth } from '../auth/signatures.ts';
import type { ChannelKind } from '../protocol/channel-kind.ts';
import { SERVER_TO_USER_PREFIX } from '../protocol/channel-kind.ts';
import { decodeJsonObject } from '../protocol/json.ts';
import { MAX_USER_ID_LENGTH, utf8Length } from '../protocol/names.ts';

export interface SignedInUser {
  readonly id: string;
  readonly userInfo: unknown;
}

export interface AuthorizeInput {
  readonly app: { key: string; secret: string; maxPresenceUserInfoBytes: number };
  readonly socketId: string;
  readonly channel: string;
  readonly kind: ChannelKind;
  readonly auth: unknown;
  readonly channelData: unknown;
  readonly user: SignedInUser | undefined;
}

export type Authorization = { ok: true; member?: PresenceMember } | { ok: false; message: string };

export function authorizeSubscription(input: AuthorizeInput): Authorization {
  const { app, socketId, channel, kind } = input;
  if (kind.isServerToUser) {
    const owner = channel.slice(SERVER_TO_USER_PREFIX.length);
    return input.user?.id === owner
      ? { ok: true }
      : {
          ok: false,
          message: `Unauthorized: ${channel} is reserved for the signed-in user ${owner}`,
        };
  }
  if (kind.isPresence) return authorizePresence(input);
  if (kind.isPrivate) {
    const check = verifyAuth(input.auth, app, channelStringToSign(socketId, channel));
    if (check.ok) return { ok: true };
    // The official SDK signs `socket_id:channel:channel_data` whenever it is given user data,
    // even for a private channel, and pusher-js forwards that channel_data: accept it too. [U]
    if (typeof input.channelData === 'string') {
      const withData = channelStringToSign(socketId, channel, input.channelData);
      if (verifyAuth(input.auth, app, withData).ok) return { ok: true };
    }
    return { ok: false, message: check.problem };
  }
  return { ok: true };
}

function authorizePresence(input: AuthorizeInput): Authorization {
  const { app, socketId, channel, channelData, user } = input;
  if (channelData === undefined) {
    // A signed-in connection may omit channel_data; the member is the signed-in user.
    // [U] Which string Pusher verifies then is unconfirmed; we use socket_id:channel (§16.12).
    if (!user) return { ok: false, message: 'Presence subscription requires channel_data' };
    const check = verifyAuth(input.auth, app, channelStringToSign(socketId, channel));
    if (!check.ok) return { ok: false, message: check.problem };
    return memberFrom(user.id, user.userInfo, app.maxPresenceUserInfoBytes);
  }
  if (typeof channelData !== 'string') {
    return { ok: false, message: 'channel_data must be a JSON-encoded string' };
  }
  // Verify over the exact string received: re-serialising would change the signed bytes.
  const check = verifyAuth(input.auth, app, channelStringToSign(socketId, channel, channelData));
  if (!check.ok) return { ok: false, message: check.problem };
  const parsed = decodeJsonObject(channelData);
  if (!parsed.ok) return { ok: false, message: `channel_data ${parsed.problem}` };
  const { user_id: rawId, user_info: userInfo } = parsed.value;
  // Numeric ids occur in the wild; identity is String(user_id) everywhere (§5.5, [U] §16.7).
  if (
    !(typeof rawId === 'string' && rawId.length > 0) &&
    !(typeof rawId === 'number' && Number.isFinite(rawId))
  ) {
    return { ok: false, message: 'channel_data must contain a user_id (string or number)' };
  }
  return memberFrom(String(rawId), userInfo, app.maxPresenceUserInfoBytes);
}

function memberFrom(userId: string, userInfo: unknown, maxInfoBytes: number): Authorization {
  if (userId.length > MAX_USER_ID_LENGTH) {
    return {
      ok: false,
      message: `Presence user_id is longer than ${MAX_USER_ID_LENGTH} characters`,
    };
  }
  if (userInfo === undefined) return { ok: true, member: { userId, userInfo } };
  // Serialized once: the size check and the roster's text share it.
  const userInfoJson = JSON.stringify(userInfo);
  if (utf8Length(userInfoJson) > maxInfoBytes) {
    return { ok: false, message: `Presence user_info is larger than ${maxInfoBytes} bytes` };
  }
  return { ok: true, member: { userId, userInfo, userInfoJson } };
}
