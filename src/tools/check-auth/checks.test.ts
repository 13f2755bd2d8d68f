import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkChannelAnswer, checkUserAnswer, checkCallbackEscaping } from './checks.ts';
import { diagnoseSignature, privateMistakes } from './diagnose.ts';

const context = { key: 'k', secret: 's3', socketId: '123.456' };
const sign = (text: string, secret = 's3') =>
  createHmac('sha256', secret).update(text).digest('hex');
const json = (body: unknown, status = 200) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});

describe('diagnoseSignature', () => {
  const base = {
    key: 'k',
    secret: 's3',
    expected: '123.456:private-a',
    expectedForm: 'socket_id:channel',
    wrongStrings: privateMistakes('123.456', 'private-a'),
  };

  it('accepts the signature over the expected string', () => {
    expect(diagnoseSignature({ ...base, signature: sign('123.456:private-a') })).toEqual({
      ok: true,
    });
  });

  it('names a trailing colon', () => {
    const verdict = diagnoseSignature({ ...base, signature: sign('123.456:private-a:') });
    expect(verdict).toMatchObject({
      ok: false,
      message: expect.stringContaining('trailing colon'),
    });
  });

  it("names Pushwire's default secret", () => {
    const verdict = diagnoseSignature({ ...base, signature: sign(base.expected, 'app-secret') });
    expect(verdict).toMatchObject({
      message: expect.stringContaining("Pushwire's default secret `app-secret`"),
    });
  });
});

describe('checkChannelAnswer', () => {
  it('checks nothing past the status of a denied channel', () => {
    expect(checkChannelAnswer(context, 'private-a', 'deny', json({}, 403))).toEqual([
      { name: 'status', ok: true, message: '403, as expected for a denied channel' },
    ]);
  });

  it('flags a private answer signed like a presence one', () => {
    const data = '{"user_id":"u"}';
    const results = checkChannelAnswer(
      context,
      'private-a',
      'allow',
      json({ auth: `k:${sign(`123.456:private-a:${data}`)}`, channel_data: data }),
    );
    expect(results.at(-1)).toMatchObject({
      name: 'signature',
      ok: false,
      message: expect.stringContaining('signed like a presence channel'),
    });
  });

  it('points at the master key when an encrypted channel gets a 500', () => {
    const [status] = checkChannelAnswer(context, 'private-encrypted-a', 'allow', json({}, 500));
    expect(status?.cause).toContain('encryptionMasterKeyBase64');
  });
});

describe('checkUserAnswer', () => {
  it('passes a signature over socket_id::user::user_data', () => {
    const data = '{"id":"7"}';
    const results = checkUserAnswer(
      context,
      json({ auth: `k:${sign(`123.456::user::${data}`)}`, user_data: data }),
    );
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

describe('checkCallbackEscaping', () => {
  const hostile = "cb');alert(1);//";
  const script = (body: string) => ({ status: 200, contentType: 'application/javascript', body });

  it('fails a 500 and passes a 400', () => {
    expect(checkCallbackEscaping(hostile, { ...script(''), status: 500 }).ok).toBe(false);
    expect(checkCallbackEscaping(hostile, { ...script(''), status: 400 }).ok).toBe(true);
  });

  it('fails a callee with characters outside the safe set', () => {
    expect(checkCallbackEscaping(hostile, script('cb";alert(1)//({});')).ok).toBe(false);
  });
});
