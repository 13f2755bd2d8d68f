/** Name rules for channels, events, socket ids and user ids (docs/protocol.md §1.4, §5.2). */
import { SERVER_TO_USER_PREFIX } from './channel-kind.ts';

const CHANNEL_CHARS = /^[A-Za-z0-9_\-=@,.;]+$/;
const SOCKET_ID = /^\d+\.\d+$/;

export const isValidSocketId = (value: unknown): value is string =>
  typeof value === 'string' && SOCKET_ID.test(value);

/**
 * Why `name` is not a valid channel name, or `null` when it is. `#server-to-user-{id}` is
 * accepted when `allowServerToUser`: its `#` breaks the character rule, yet pusher-js subscribes
 * to it and the SDK's `sendToUser` publishes to it (§5.2).
 */
export function channelNameProblem(
  name: unknown,
  maxLength: number,
  allowServerToUser = true,
): string | null {
  if (typeof name !== 'string' || name.length === 0)
    return 'channel name must be a non-empty string';
  if (name.length > maxLength) return `channel name is longer than ${maxLength} characters`;
  if (allowServerToUser && name.startsWith(SERVER_TO_USER_PREFIX)) {
    const userId = name.slice(SERVER_TO_USER_PREFIX.length);
    return CHANNEL_CHARS.test(userId) ? null : 'user id in #server-to-user channel is invalid';
  }
  if (!CHANNEL_CHARS.test(name)) {
    return 'channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;';
  }
  return null;
}

/** Why `name` is not a valid event name, or `null`. */
export function eventNameProblem(name: unknown, maxLength: number): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'event name must be a non-empty string';
  if (name.length > maxLength) return `event name is longer than ${maxLength} characters`;
  return null;
}

/** Signed-in user ids use the channel-name character set (P-docs Authenticating users). */
/** Longest user id, for sign-in and presence alike (P-docs Presence channels). */
export const MAX_USER_ID_LENGTH = 128;

export const isValidUserId = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= MAX_USER_ID_LENGTH &&
  CHANNEL_CHARS.test(value);

/** UTF-8 byte length of a string, without allocating a Buffer. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A valid pair; a lone surrogate is sent as U+FFFD (3 bytes) like any BMP character.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
