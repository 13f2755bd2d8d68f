/**
 * Input checks, the same rules as the official SDK (docs/protocol.md §1.4, §5.2, §8.1) plus one it
 * lacks: presence data must carry a `user_id`. Each failure is a `PushwireSdkError` whose code
 * and message name the offending input.
 */
import { PushwireSdkError } from './errors.ts';

const SOCKET_ID = /^\d+\.\d+$/;

export const isValidSocketId = (value: unknown): value is string =>
  typeof value === 'string' && SOCKET_ID.test(value);
const CHANNEL_CHARS = /^[A-Za-z0-9_\-=@,.;]+$/;
/** The official SDK's limit; the server's default is lower (164, docs/protocol.md §5.2). */
export const MAX_CHANNEL_NAME_LENGTH = 200;
export const MAX_EVENT_NAME_LENGTH = 200;
export const MAX_TRIGGER_CHANNELS = 100;
export const ENCRYPTED_PREFIX = 'private-encrypted-';
export const SERVER_TO_USER_PREFIX = '#server-to-user-';

/** Shows a bad value in a message, cut short so a huge input does not become a huge error. */
const show = (value: unknown): string => {
  const text = typeof value === 'string' ? value : String(value);
  return `'${text.length > 220 ? `${text.slice(0, 220)}…` : text}'`;
};

export function validateSocketId(socketId: unknown): asserts socketId is string {
  if (!isValidSocketId(socketId)) {
    throw new PushwireSdkError(
      'invalid_socket_id',
      `Invalid socket id: ${show(socketId)} (expected two integers joined by a dot, like 123.456)`,
    );
  }
}

export function validateChannelName(channel: unknown): asserts channel is string {
  if (typeof channel !== 'string' || !CHANNEL_CHARS.test(channel)) {
    throw new PushwireSdkError(
      'invalid_channel_name',
      `Invalid channel name: ${show(channel)} (allowed: A-Z a-z 0-9 _ - = @ , . ;)`,
    );
  }
  if (channel.length > MAX_CHANNEL_NAME_LENGTH) {
    throw new PushwireSdkError(
      'channel_name_too_long',
      `Channel name too long: ${channel.length} characters, at most ${MAX_CHANNEL_NAME_LENGTH}`,
    );
  }
}

export function validateUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId === '') {
    throw new PushwireSdkError(
      'invalid_user_id',
      `Invalid user id: ${show(userId)} (must be a non-empty string)`,
    );
  }
}

export function validateUserData(userData: unknown): void {
  if (userData === null || typeof userData !== 'object' || Array.isArray(userData)) {
    throw new PushwireSdkError('invalid_user_data', 'Invalid user data: expected an object');
  }
  const { id } = userData as { id?: unknown };
  if (typeof id !== 'string' || id === '') {
    throw new PushwireSdkError(
      'invalid_user_data',
      `Invalid user data: 'id' must be a non-empty string, got ${id === undefined ? 'none' : show(id)}`,
    );
  }
}

/** `user_id` may be a string or a number: both occur in the wild (docs/protocol.md §5.5). */
export function validatePresenceData(data: unknown): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PushwireSdkError(
      'invalid_presence_data',
      'Invalid presence data: expected an object',
    );
  }
  const userId = (data as { user_id?: unknown }).user_id;
  const ok =
    (typeof userId === 'string' && userId !== '') ||
    (typeof userId === 'number' && Number.isFinite(userId));
  if (!ok) {
    throw new PushwireSdkError(
      'invalid_presence_data',
      `Invalid presence data: 'user_id' must be a non-empty string or a number, got ${
        userId === undefined ? 'none' : show(userId)
      }`,
    );
  }
}

export function validateEventName(event: unknown): asserts event is string {
  if (typeof event !== 'string' || event === '') {
    throw new PushwireSdkError(
      'invalid_event_name',
      'Invalid event name: expected a non-empty string',
    );
  }
  if (event.length > MAX_EVENT_NAME_LENGTH) {
    throw new PushwireSdkError(
      'event_name_too_long',
      `Too long event name: ${show(event)} (at most ${MAX_EVENT_NAME_LENGTH} characters)`,
    );
  }
}

export const isEncryptedChannel = (channel: string): boolean =>
  channel.startsWith(ENCRYPTED_PREFIX);
