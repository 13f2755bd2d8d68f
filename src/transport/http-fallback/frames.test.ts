import { describe, expect, it } from 'vitest';
import {
  closeFrame,
  encodeMessage,
  matchFallbackPath,
  messagesFrame,
  openFrame,
  parseSendBody,
} from './frames.ts';

describe('fallback paths', () => {
  it('names the app key, the request kind and the session', () => {
    expect(matchFallbackPath('/pusher/app/app-key/123/abcdefgh/xhr_streaming')).toEqual({
      ok: true,
      path: { key: 'app-key', kind: 'xhr_streaming', sessionId: '123/abcdefgh' },
    });
    expect(matchFallbackPath('/pusher/app/k/0/s/xhr')).toMatchObject({ path: { kind: 'xhr' } });
    expect(matchFallbackPath('/pusher/app/k/0/s/xhr_send')).toMatchObject({
      path: { kind: 'xhr_send' },
    });
  });

  it('is not a fallback path otherwise', () => {
    expect(matchFallbackPath('/pusher/app/k/0/s/websocket')).toBeUndefined();
    expect(matchFallbackPath('/apps/1/events')).toBeUndefined();
  });

  it('refuses a bad server or session id with 400', () => {
    for (const path of [
      '/pusher/app/k/1000/abc/xhr',
      '/pusher/app/k/x/abc/xhr',
      '/pusher/app/k/1//xhr',
      '/pusher/app/k/1/a.b/xhr',
      `/pusher/app/k/1/${'a'.repeat(33)}/xhr`,
    ]) {
      expect(matchFallbackPath(path)).toMatchObject({ ok: false, status: 400 });
    }
  });
});

describe('fallback frames', () => {
  it('opens with o, with the hostname hint when there is one', () => {
    expect(openFrame(null)).toBe('o\n');
    expect(openFrame('node-a.example.com')).toBe('o{"hostname":"node-a.example.com"}\n');
  });

  it('carries messages as JSON strings in one a frame', () => {
    const message = encodeMessage('{"event":"e","data":"x"}');
    expect(messagesFrame([message, message])).toBe(
      'a["{\\"event\\":\\"e\\",\\"data\\":\\"x\\"}","{\\"event\\":\\"e\\",\\"data\\":\\"x\\"}"]\n',
    );
  });

  it('closes with c[code, reason]', () => {
    expect(closeFrame(4200, 'Bye')).toBe('c[4200,"Bye"]\n');
  });
});

describe('xhr_send bodies', () => {
  const parse = (body: string, max = 100) => parseSendBody(Buffer.from(body), max);

  it('are JSON arrays of messages', () => {
    expect(parse('["{\\"event\\":\\"pusher:ping\\"}"]')).toEqual({
      ok: true,
      messages: ['{"event":"pusher:ping"}'],
    });
    expect(parse('[]')).toEqual({ ok: true, messages: [] });
  });

  it('refuses anything else with 400', () => {
    for (const body of [
      '',
      'not json',
      '{}',
      '"x"',
      '[1]',
      '[null]',
      JSON.stringify(Array(101).fill('')),
    ]) {
      expect(parse(body)).toMatchObject({ ok: false, status: 400 });
    }
  });

  it('refuses a message over the size limit with 413', () => {
    expect(parse(JSON.stringify(['x'.repeat(101)]))).toMatchObject({ ok: false, status: 413 });
    expect(parse(JSON.stringify(['é'.repeat(51)]))).toMatchObject({ ok: false, status: 413 });
  });
});
