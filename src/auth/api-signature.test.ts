import { describe, expect, it } from 'vitest';
import { loadVectors, type SignedRequestVector } from '../../test/helpers/vectors.ts';
import { apiStringToSign, canonicalQuery, md5Hex, verifyApiRequest } from './api-signature.ts';

type HttpVector = SignedRequestVector;

const vectors = loadVectors();
const app = { key: vectors.app.key, secret: vectors.app.secret };
const httpVectors = vectors.signed_http_requests;

function requestOf(vector: HttpVector) {
  return {
    method: vector.input.method,
    rawPath: vector.input.path,
    query: new URLSearchParams(vector.expected.query_string),
    body: Buffer.from(vector.input.body ?? '', 'utf8'),
  };
}

describe('API request signatures', () => {
  it.each(httpVectors.map((v) => [v.note, v] as const))(
    'reproduces the SDK string to sign: %s',
    (_note, vector) => {
      const request = requestOf(vector);
      expect(apiStringToSign(request.method, request.rawPath, request.query)).toBe(
        vector.expected.string_to_sign,
      );
      if (vector.expected.body_md5) expect(md5Hex(request.body)).toBe(vector.expected.body_md5);
    },
  );

  it.each(httpVectors.map((v) => [v.note, v] as const))(
    'accepts the SDK request: %s',
    (_note, vector) => {
      expect(verifyApiRequest(requestOf(vector), app, vector.input.auth_timestamp)).toEqual({
        ok: true,
      });
    },
  );

  it.each(httpVectors.map((v) => [v.note, v] as const))(
    'refuses the request with one character of the path changed: %s',
    (_note, vector) => {
      const request = { ...requestOf(vector), rawPath: vector.input.path.replace(/.$/, 'X') };
      expect(verifyApiRequest(request, app, vector.input.auth_timestamp)).toMatchObject({
        ok: false,
        message: expect.stringMatching(/signature/),
      });
    },
  );

  it.each(httpVectors.filter((v) => v.input.body).map((v) => [v.note, v] as const))(
    'refuses the request with one character of the body changed: %s',
    (_note, vector) => {
      const body = vector.input.body ?? '';
      const request = {
        ...requestOf(vector),
        body: Buffer.from(body.slice(0, -2) + 'X' + body.slice(-1)),
      };
      expect(verifyApiRequest(request, app, vector.input.auth_timestamp)).toMatchObject({
        ok: false,
        message: expect.stringMatching(/body_md5/),
      });
    },
  );

  it.each(httpVectors.map((v) => [v.note, v] as const))(
    'refuses the request with one character of the signature changed: %s',
    (_note, vector) => {
      const request = requestOf(vector);
      const signature = vector.expected.auth_signature;
      request.query.set('auth_signature', (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1));
      expect(verifyApiRequest(request, app, vector.input.auth_timestamp)).toMatchObject({
        ok: false,
        message: expect.stringMatching(/signature/),
      });
    },
  );

  it.each(httpVectors.map((v) => [v.note, v] as const))(
    'refuses the request with one character of the method changed: %s',
    (_note, vector) => {
      const request = {
        ...requestOf(vector),
        method: vector.input.method === 'GET' ? 'PUT' : 'PUT',
      };
      expect(verifyApiRequest(request, app, vector.input.auth_timestamp).ok).toBe(false);
    },
  );

  it('reproduces the worked example of the Pusher documentation', () => {
    const example = vectors.pusher_docs_worked_examples;
    const request = {
      method: example.http_api.input.method,
      rawPath: example.http_api.input.path,
      query: new URLSearchParams(example.http_api.expected.query_string),
      body: Buffer.from(example.http_api.input.body),
    };
    expect(
      verifyApiRequest(request, example.credentials, example.http_api.input.auth_timestamp),
    ).toEqual({ ok: true });
  });

  it('refuses a timestamp more than 600 seconds away', () => {
    const vector = httpVectors[0]!;
    expect(
      verifyApiRequest(requestOf(vector), app, vector.input.auth_timestamp + 601),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^Timestamp expired/) });
    expect(
      verifyApiRequest(requestOf(vector), app, vector.input.auth_timestamp - 601),
    ).toMatchObject({ ok: false });
    expect(verifyApiRequest(requestOf(vector), app, vector.input.auth_timestamp + 600)).toEqual({
      ok: true,
    });
  });

  it('refuses the key of another app', () => {
    const vector = httpVectors[0]!;
    expect(
      verifyApiRequest(
        requestOf(vector),
        { key: 'other-key', secret: app.secret },
        vector.input.auth_timestamp,
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/auth_key/),
    });
  });

  it('refuses a body sent without body_md5', () => {
    const vector = httpVectors[0]!;
    const request = requestOf(vector);
    request.query.delete('body_md5');
    expect(verifyApiRequest(request, app, vector.input.auth_timestamp)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/body_md5/),
    });
  });

  it('sorts keys, lowercases them and leaves values unencoded in the canonical query', () => {
    const query = new URLSearchParams(
      'b=2&A=1&auth_signature=x&info=user_count,subscription_count',
    );
    expect(canonicalQuery(query)).toBe('a=1&b=2&info=user_count,subscription_count');
  });
});
