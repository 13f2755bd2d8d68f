import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../test/helpers/vectors.ts';
import { hmacSha256Hex } from './hmac.ts';
import { channelStringToSign, signAuth, userStringToSign, verifyAuth } from './signatures.ts';

const vectors = loadVectors();
const app = { key: vectors.app.key, secret: vectors.app.secret };
const docs = vectors.pusher_docs_worked_examples;
const docsApp = { key: docs.credentials.key, secret: docs.credentials.secret };

/** Flips the last hex digit of an auth value's signature. */
const tamper = (auth: string) => auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0');

/** The SDK's signature and auth come out the same, verify, and a tampered auth does not. */
function itSignsLikeTheSdk(
  label: string,
  expected: { string_to_sign: string; signature: string; auth: string },
): void {
  it(`reproduces the SDK's signature and auth for ${label}`, () => {
    expect(hmacSha256Hex(app.secret, expected.string_to_sign)).toBe(expected.signature);
    expect(signAuth(app.key, app.secret, expected.string_to_sign)).toBe(expected.auth);
  });

  it(`accepts the SDK's auth for ${label}`, () => {
    expect(verifyAuth(expected.auth, app, expected.string_to_sign)).toEqual({ ok: true });
  });

  it(`rejects a tampered auth for ${label}`, () => {
    expect(verifyAuth(tamper(expected.auth), app, expected.string_to_sign).ok).toBe(false);
  });
}

describe('channel signatures (vectors private_channel_auth)', () => {
  for (const { input, expected } of vectors.private_channel_auth) {
    const label = `${input.socket_id} ${input.channel_name.slice(0, 40)}`;

    it(`builds the SDK's string to sign for ${label}`, () => {
      expect(channelStringToSign(input.socket_id, input.channel_name)).toBe(
        expected.string_to_sign,
      );
    });

    itSignsLikeTheSdk(label, expected);
  }
});

describe('presence signatures (vectors presence_channel_auth)', () => {
  for (const { note, input, expected } of vectors.presence_channel_auth) {
    const label = note ?? input.channel_name;

    it(`signs over the exact channel_data string received when ${label}`, () => {
      const toSign = channelStringToSign(
        input.socket_id,
        input.channel_name,
        expected.channel_data,
      );
      expect(toSign).toBe(expected.string_to_sign);
      expect(Buffer.from(toSign, 'utf8').toString('hex')).toBe(expected.string_to_sign_utf8_hex);
      expect(signAuth(app.key, app.secret, toSign)).toBe(expected.auth);
    });

    it(`accepts the SDK's auth when ${label}`, () => {
      expect(verifyAuth(expected.auth, app, expected.string_to_sign)).toEqual({ ok: true });
    });

    it(`rejects the SDK's auth over re-serialised channel_data when ${label}`, () => {
      const reserialised = JSON.stringify(JSON.parse(expected.channel_data), null, 1);
      const toSign = channelStringToSign(input.socket_id, input.channel_name, reserialised);
      expect(verifyAuth(expected.auth, app, toSign).ok).toBe(false);
    });
  }
});

describe('encrypted channel signatures (vectors encrypted_channel_auth)', () => {
  for (const { input, expected } of vectors.encrypted_channel_auth) {
    it(`signs ${input.channel_name} like a private channel`, () => {
      const toSign = channelStringToSign(input.socket_id, input.channel_name);
      expect(toSign).toBe(expected.string_to_sign);
      expect(signAuth(app.key, app.secret, toSign)).toBe(expected.auth);
      expect(verifyAuth(expected.auth, app, toSign)).toEqual({ ok: true });
    });

    it(`rejects a tampered auth for ${input.channel_name}`, () => {
      expect(verifyAuth(tamper(expected.auth), app, expected.string_to_sign).ok).toBe(false);
    });
  }
});

describe('user signatures (vectors user_authentication)', () => {
  for (const { input, expected } of vectors.user_authentication) {
    const label = `${input.socket_id} ${expected.user_data.slice(0, 30)}`;

    it(`builds socket_id::user::user_data for ${label}`, () => {
      expect(userStringToSign(input.socket_id, expected.user_data)).toBe(expected.string_to_sign);
    });

    itSignsLikeTheSdk(label, expected);
  }
});

describe('signatures (vectors pusher_docs_worked_examples)', () => {
  it('reproduces the docs private-channel auth', () => {
    const { input, expected } = docs.private_channel;
    const toSign = channelStringToSign(input.socket_id, input.channel_name);
    expect(signAuth(docsApp.key, docsApp.secret, toSign)).toBe(expected.auth);
    expect(verifyAuth(expected.auth, docsApp, toSign)).toEqual({ ok: true });
  });

  it('reproduces the docs presence auth recomputed by the SDK', () => {
    const { input, expected } = docs.presence_channel;
    const toSign = channelStringToSign(input.socket_id, input.channel_name, expected.channel_data);
    expect(signAuth(docsApp.key, docsApp.secret, toSign)).toBe(expected.auth);
  });

  it('matches the signature printed in the docs only for the "Mr. Pusher" channel_data (erratum)', () => {
    const { input, docs_erratum: erratum } = docs.presence_channel;
    const toSign = channelStringToSign(
      input.socket_id,
      input.channel_name,
      erratum.printed_signature_matches_channel_data,
    );
    expect(hmacSha256Hex(docsApp.secret, toSign)).toBe(erratum.printed_signature);
    expect(verifyAuth(erratum.sdk_auth_for_that_channel_data, docsApp, toSign)).toEqual({
      ok: true,
    });
  });

  it('reproduces the docs user authentication', () => {
    const { input, expected } = docs.user_authentication;
    const toSign = userStringToSign(input.socket_id, expected.user_data);
    expect(signAuth(docsApp.key, docsApp.secret, toSign)).toBe(expected.auth);
    expect(verifyAuth(expected.auth, docsApp, toSign)).toEqual({ ok: true });
  });
});

describe('verifyAuth', () => {
  const [first] = vectors.private_channel_auth;
  if (!first) throw new Error('no private vector');
  const { expected } = first;
  const signature = expected.signature;

  it('rejects an auth signed with another secret', () => {
    const auth = signAuth(app.key, 'another-secret', expected.string_to_sign);
    expect(verifyAuth(auth, app, expected.string_to_sign).ok).toBe(false);
  });

  it('rejects an auth whose key part is another app key', () => {
    expect(verifyAuth(`other-key:${signature}`, app, expected.string_to_sign)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('Invalid key'),
    });
  });

  it('rejects a bare signature without the key prefix', () => {
    expect(verifyAuth(signature, app, expected.string_to_sign).ok).toBe(false);
  });

  it('rejects an empty or non-string auth', () => {
    expect(verifyAuth('', app, expected.string_to_sign).ok).toBe(false);
    expect(verifyAuth(undefined, app, expected.string_to_sign).ok).toBe(false);
    expect(verifyAuth(42, app, expected.string_to_sign).ok).toBe(false);
  });

  it('rejects a truncated signature', () => {
    expect(verifyAuth(expected.auth.slice(0, -2), app, expected.string_to_sign).ok).toBe(false);
  });

  it('rejects an upper-case hex signature (the SDK always sends lower case)', () => {
    const upper = `${app.key}:${signature.toUpperCase()}`;
    expect(verifyAuth(upper, app, expected.string_to_sign).ok).toBe(false);
  });

  it('rejects a signature made for another socket id', () => {
    const toSign = channelStringToSign('999.999', first.input.channel_name);
    expect(verifyAuth(expected.auth, app, toSign).ok).toBe(false);
  });

  it('names the string to sign in the problem of a bad signature (Pusher does so, §4.3)', () => {
    const check = verifyAuth(tamper(expected.auth), app, expected.string_to_sign);
    expect(check).toMatchObject({
      ok: false,
      problem: expect.stringContaining(`HMAC SHA256 hex digest of ${expected.string_to_sign}`),
    });
  });
});

describe('verifyAuth, the shape of auth', () => {
  const toSign = channelStringToSign('1.2', 'private-a');
  const signature = hmacSha256Hex(app.secret, toSign);

  it.each([
    ['no colon', signature],
    ['a key that only starts with the app key', `${app.key}x:${signature}`],
    ['a key that is a prefix of the app key', `${app.key.slice(0, -1)}:${signature}`],
    ['an empty key', `:${signature}`],
  ])('refuses %s as an invalid key', (_label, auth) => {
    expect(verifyAuth(auth, app, toSign)).toEqual({
      ok: false,
      problem: `Invalid key in auth: expected "${app.key}"`,
    });
  });

  it.each([
    ['a signature one digit short', signature.slice(0, -1)],
    ['a signature one digit long', `${signature}0`],
    ['a signature in upper case', signature.toUpperCase()],
    ['an empty signature', ''],
  ])('refuses %s', (_label, sent) => {
    expect(verifyAuth(`${app.key}:${sent}`, app, toSign)).toEqual({
      ok: false,
      problem: `Invalid signature: Expected HMAC SHA256 hex digest of ${toSign}, but got ${sent}`,
    });
  });
});
