/**
 * End-to-end encrypted channels (docs/protocol.md §6): the per-channel key is
 * SHA-256(channel name || master key); payloads are NaCl secretbox (XSalsa20-Poly1305) of the
 * JSON text, sent as `{"nonce":b64,"ciphertext":b64}`.
 */
import { secretbox } from '@noble/ciphers/salsa.js';
import {
  base64ToBytes,
  bytesToBase64,
  concatBytes,
  randomBytes,
  sha256Bytes,
  utf8ToBytes,
} from './crypto.ts';
import { PushwireSdkError } from './errors.ts';

export const NONCE_LENGTH = 24;

export function channelSharedSecret(channel: string, masterKey: Uint8Array): Uint8Array {
  return sha256Bytes(concatBytes(utf8ToBytes(channel), masterKey));
}

/** The `data` string of an encrypted event. `nonce` is injectable for tests only. */
export function encryptPayload(
  sharedSecret: Uint8Array,
  data: unknown,
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): string {
  const ciphertext = secretbox(sharedSecret, nonce).seal(utf8ToBytes(JSON.stringify(data)));
  return JSON.stringify({ nonce: bytesToBase64(nonce), ciphertext: bytesToBase64(ciphertext) });
}

/** Reads `encryptionMasterKeyBase64`: standard base64 of exactly 32 bytes. */
export function decodeMasterKey(base64: unknown): Uint8Array {
  if (typeof base64 !== 'string') {
    throw new PushwireSdkError('invalid_options', 'encryptionMasterKeyBase64 must be a string');
  }
  const key = base64ToBytes(base64);
  if (key === null) {
    throw new PushwireSdkError('invalid_options', 'encryptionMasterKeyBase64 must be valid base64');
  }
  if (key.length !== 32) {
    // The key is a secret: its value never goes into a message.
    throw new PushwireSdkError(
      'invalid_options',
      `encryptionMasterKeyBase64 must decode to 32 bytes, but decodes to ${key.length} bytes`,
    );
  }
  return key;
}
