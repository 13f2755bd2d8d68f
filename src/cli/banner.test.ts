import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/load.ts';
import type { ConfigInput } from '../config/schema.ts';
import type { RunningServer } from '../server/server.ts';
import { banner } from './banner.ts';

const server = (overrides: Partial<ConfigInput> = {}) =>
  ({
    config: resolveConfig({ port: 6001, ...overrides }),
    host: '127.0.0.1',
    port: 6001,
    tls: false,
    wsUrl: 'ws://127.0.0.1:6001',
    httpUrl: 'http://127.0.0.1:6001',
  }) as unknown as RunningServer;

/** The options of each `new Pusher(key, {...})` snippet, evaluated as a reader would paste it. */
function snippetOptions(text: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const [snippet] of text.matchAll(/new Pusher\('[^']*', \{[\s\S]*?\}\);/g)) {
    const Pusher = function (_key: string, options: Record<string, unknown>) {
      found.push(options);
    };
    new Function('Pusher', snippet)(Pusher);
  }
  return found;
}

describe('start banner', () => {
  it('shows a WebSocket-only snippet and one that falls back over HTTP to this server', () => {
    const [wsOnly, withFallback] = snippetOptions(banner(server()));
    expect(wsOnly).toEqual({
      cluster: 'local',
      wsHost: '127.0.0.1',
      wsPort: 6001,
      forceTLS: false,
      enabledTransports: ['ws'],
    });
    expect(withFallback).toMatchObject({
      httpHost: '127.0.0.1',
      httpPort: 6001,
      forceTLS: false,
      enabledTransports: ['ws', 'xhr_streaming', 'xhr_polling'],
    });
  });

  it('connects both snippets with TLS on the same port when the server serves TLS', () => {
    const tls = { ...server(), tls: true } as RunningServer;
    const [wsOnly, withFallback] = snippetOptions(banner(tls));
    expect(wsOnly).toEqual({
      cluster: 'local',
      wsHost: '127.0.0.1',
      wssPort: 6001,
      forceTLS: true,
      enabledTransports: ['ws'],
    });
    expect(withFallback).toMatchObject({ wssPort: 6001, httpsPort: 6001, forceTLS: true });
    expect(banner(tls)).toContain('useTLS: true');
  });

  it('shows no fallback snippet with httpFallback off', () => {
    expect(snippetOptions(banner(server({ httpFallback: false })))).toHaveLength(1);
  });
});
