import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpListener } from './http-listener.ts';
import type { WebSocketEndpoint } from './ws-endpoint.ts';

const listeners: HttpListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HttpListener', () => {
  it('answers a handler that throws with 500, logging within a budget, not once per request', async () => {
    const lines: { level: number; msg: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const listener = new HttpListener({
      maxBodyBytes: 1024,
      maxBufferedBodyBytes: 1024 * 1024,
      bodyTimeoutMs: 1000,
      screen: () => Promise.resolve(undefined),
      handle: () => Promise.reject(new Error('a fault any request reaches')),
      endpoint: {} as WebSocketEndpoint,
      logger: pino({ level: 'info' }, stream),
    });
    listeners.push(listener);
    const { port } = await listener.listen(0, '127.0.0.1');
    for (let i = 0; i < 200; i++) expect(await get(port, `/x${i}`)).toBe(500);
    const errors = lines.filter((l) => l.msg === 'error in HTTP handler');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(20);
  });
});
