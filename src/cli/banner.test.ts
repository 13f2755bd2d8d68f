import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/load.ts';
import type { ConfigInput } from '../config/schema.ts';
import type { RunningServer } from '../server/server.ts';
import { banner } from './banner.ts';

const server = (overrides: Partial<ConfigInput> = {}, tls = false) =>
  ({
    config: resolveConfig({ port: 6001, ...overrides }),
    tls,
    host: '127.0.0.1',
    port: 6001,
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

  it('points both at the TLS port when the server terminates TLS', () => {
    const [wsOnly, withFallback] = snippetOptions(banner(server({}, true)));
    expect(wsOnly).toMatchObject({ wssPort: 6001, forceTLS: true });
    expect(withFallback).toMatchObject({ wssPort: 6001, httpsPort: 6001, forceTLS: true });
  });

  it('shows no fallback snippet with httpFallback off', () => {
    expect(snippetOptions(banner(server({ httpFallback: false })))).toHaveLength(1);
  });

  it('shows where the metrics port serves /metrics, when there is one', () => {
    expect(banner(server())).not.toContain('Metrics:');
    const withPort = {
      ...server({ metricsPort: 9601 }),
      metricsUrl: 'http://127.0.0.1:9601/metrics',
    };
    expect(banner(withPort)).toContain(
      '  Metrics:    http://127.0.0.1:9601/metrics (its own port)\n',
    );
  });
});
