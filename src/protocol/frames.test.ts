import { describe, expect, it } from 'vitest';
import * as frames from './frames.ts';

const decode = frames.decodeClientFrame;

describe('decodeClientFrame', () => {
  it('decodes a pusher-js subscribe frame with object data', () => {
    const text = '{"event":"pusher:subscribe","data":{"auth":"","channel":"news"}}';
    expect(decode(text)).toEqual({
      ok: true,
      value: { event: 'pusher:subscribe', channel: undefined, data: { auth: '', channel: 'news' } },
    });
  });

  it('keeps a client event channel and data as received', () => {
    const text = '{"event":"client-typing","channel":"private-a","data":"raw"}';
    expect(decode(text)).toMatchObject({
      ok: true,
      value: { event: 'client-typing', channel: 'private-a', data: 'raw' },
    });
  });

  it('decodes a frame without data', () => {
    const decoded = decode('{"event":"pusher:ping"}');
    expect(decoded).toMatchObject({ ok: true, value: { event: 'pusher:ping' } });
    expect(decoded.ok && decoded.value.data).toBeUndefined();
  });

  it.each([
    ['empty text', ''],
    ['truncated JSON', '{"event":"pusher:ping"'],
    ['plain words', 'hello'],
    ['single-quoted JSON', "{'event':'pusher:ping'}"],
  ])('fails with "not valid JSON" for %s', (_what, text) => {
    expect(decode(text)).toEqual({ ok: false, problem: 'frame is not valid JSON' });
  });

  it.each([
    ['null', 'null'],
    ['an array', '[{"event":"pusher:ping"}]'],
    ['a string', '"pusher:ping"'],
    ['a number', '42'],
    ['true', 'true'],
  ])('fails with "must be a JSON object" for %s', (_what, text) => {
    expect(decode(text)).toEqual({ ok: false, problem: 'frame must be a JSON object' });
  });

  it.each([
    ['no event field', '{"data":{}}'],
    ['an empty event', '{"event":""}'],
    ['a numeric event', '{"event":42}'],
    ['a null event', '{"event":null}'],
    ['an object event', '{"event":{"name":"pusher:ping"}}'],
  ])('fails with "no event string" for %s', (_what, text) => {
    expect(decode(text)).toEqual({ ok: false, problem: 'frame has no "event" string' });
  });

  it.each([
    ['a number', '{"event":"client-x","channel":1}'],
    ['null', '{"event":"client-x","channel":null}'],
    ['an array', '{"event":"client-x","channel":["private-a"]}'],
  ])('fails when channel is %s', (_what, text) => {
    expect(decode(text)).toEqual({ ok: false, problem: '"channel" must be a string' });
  });

  const nested = (depth: number, inner = '') =>
    `{"event":"client-x","data":${'['.repeat(depth - 1)}${inner}${']'.repeat(depth - 1)}}`;

  it('refuses a frame nested more than 64 levels deep, without throwing', () => {
    expect(decode(nested(6000))).toEqual({
      ok: false,
      problem: 'frame is nested more than 64 levels deep',
    });
    expect(decode(nested(65))).toMatchObject({ ok: false });
  });

  it('accepts a frame nested exactly 64 levels deep', () => {
    expect(decode(nested(64)).ok).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inner = JSON.stringify(`\\"${'['.repeat(200)}`);
    expect(decode(nested(3, inner))).toMatchObject({ ok: true });
  });
});

describe('eventDataObject', () => {
  it('accepts an object (what pusher-js sends)', () => {
    expect(frames.eventDataObject({ channel: 'a' })).toEqual({ ok: true, value: { channel: 'a' } });
  });

  it('accepts a string holding a JSON object (what older clients sent, §1.5)', () => {
    expect(frames.eventDataObject('{"channel":"a"}')).toEqual({
      ok: true,
      value: { channel: 'a' },
    });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 7],
    ['a boolean', true],
    ['an array', [{ channel: 'a' }]],
    ['a non-JSON string', 'channel=a'],
    ['a string holding an array', '[1]'],
    ['a string holding a string', '"a"'],
    ['a string holding null', 'null'],
  ])('fails for %s', (_what, data) => {
    expect(frames.eventDataObject(data)).toEqual({
      ok: false,
      problem: '"data" must be an object',
    });
  });
});

describe('server frames', () => {
  const parse = (frame: frames.OutboundFrame) => JSON.parse(frame.text) as Record<string, unknown>;

  it('encodes connection_established data as a JSON string (trap 1)', () => {
    const frame = parse(frames.connectionEstablished('1.2', 120));
    expect(frame.event).toBe('pusher:connection_established');
    expect(typeof frame.data).toBe('string');
    expect(JSON.parse(frame.data as string)).toEqual({ socket_id: '1.2', activity_timeout: 120 });
  });

  it.each([
    ['1.2', 120],
    ['2147483647.1', 0],
    ['12.34', 7200],
    ['x"y', 120],
    ['1.2', 1.5],
  ])('writes connection_established for %s, %s as JSON.stringify would', (socketId, timeout) => {
    const data = JSON.stringify({ socket_id: socketId, activity_timeout: timeout });
    expect(frames.connectionEstablished(socketId, timeout).text).toBe(
      JSON.stringify({ event: 'pusher:connection_established', data }),
    );
  });

  it('encodes pusher:error data as an object with code and message', () => {
    expect(parse(frames.errorFrame(null, 'nope'))).toEqual({
      event: 'pusher:error',
      data: { code: null, message: 'nope' },
    });
    expect(parse(frames.errorFrame(4301, 'slow down'))).toMatchObject({
      data: { code: 4301 },
    });
  });

  it('sends "{}" as ping and pong data ([U] §16.1)', () => {
    expect(parse(frames.PING)).toEqual({ event: 'pusher:ping', data: '{}' });
    expect(parse(frames.PONG)).toEqual({ event: 'pusher:pong', data: '{}' });
  });

  it('sends "{}" as non-presence subscription_succeeded data ([U] §16.1)', () => {
    expect(parse(frames.subscriptionSucceeded('news'))).toEqual({
      event: 'pusher_internal:subscription_succeeded',
      channel: 'news',
      data: '{}',
    });
  });

  it('double-encodes the presence roster in subscription_succeeded', () => {
    const presence = { ids: ['a'], hash: { a: { n: 1 } }, count: 1 };
    const frame = parse(frames.subscriptionSucceeded('presence-x', presence));
    expect(JSON.parse(frame.data as string)).toEqual({ presence });
  });

  it('double-encodes member_added and omits user_info when there is none', () => {
    const withInfo = parse(frames.memberAdded('presence-x', '42', { n: 1 }));
    expect(JSON.parse(withInfo.data as string)).toEqual({ user_id: '42', user_info: { n: 1 } });
    const without = parse(frames.memberAdded('presence-x', '42', undefined));
    expect(JSON.parse(without.data as string)).toEqual({ user_id: '42' });
  });

  it('double-encodes member_removed', () => {
    const frame = parse(frames.memberRemoved('presence-x', '42'));
    expect(frame).toMatchObject({ event: 'pusher_internal:member_removed', channel: 'presence-x' });
    expect(JSON.parse(frame.data as string)).toEqual({ user_id: '42' });
  });

  it('sends cache_miss with a channel and no data ([U] §16.1)', () => {
    expect(parse(frames.cacheMiss('cache-x'))).toEqual({
      event: 'pusher:cache_miss',
      channel: 'cache-x',
    });
  });

  it('echoes the user_data string unchanged in signin_success (object data)', () => {
    const userData = '{"id":"42", "x" : 1}';
    expect(parse(frames.signinSuccess(userData))).toEqual({
      event: 'pusher:signin_success',
      data: { user_data: userData },
    });
  });

  it('sends watchlist events as an object ([U] §8.4)', () => {
    const events = [{ name: 'online' as const, user_ids: ['a'] }];
    expect(parse(frames.watchlistEvents(events))).toEqual({
      event: 'pusher_internal:watchlist_events',
      data: { events },
    });
  });

  it('adds user_id to a channel event only when given', () => {
    expect(parse(frames.channelEvent('client-x', 'private-a', { a: 1 }))).toEqual({
      event: 'client-x',
      channel: 'private-a',
      data: { a: 1 },
    });
    expect(parse(frames.channelEvent('client-x', 'presence-a', 'd', '7'))).toEqual({
      event: 'client-x',
      channel: 'presence-a',
      data: 'd',
      user_id: '7',
    });
  });

  it('encodes the bytes of a frame once and as UTF-8', () => {
    const frame = frames.channelEvent('e', 'c', 'zoë 😀');
    expect(frame.bytes).toBe(frame.bytes);
    expect(frame.bytes.toString('utf8')).toBe(frame.text);
  });
});
