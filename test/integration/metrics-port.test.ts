/**
 * `/metrics` names every app id in its labels: with `metricsPort` it moves to a listener of its
 * own, and the client port (the one exposed to browsers) stops serving it.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';

afterEach(async () => {
  await closeAllRawClients();
  await stopAllServers();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('metrics port', () => {
  it('serves /metrics on the client port when no metrics port is set', async () => {
    const server = await startTestServer({ metrics: true });
    expect(server.metricsUrl).toBeUndefined();
    const response = await fetch(`${server.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('pushwire_');
  });

  it('serves /metrics on the metrics port only, with the app ids, and 404 on the client port', async () => {
    const server = await startTestServer({ metrics: true, metricsPort: 0 });
    await RawClient.connect(server.wsUrl);
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(server.metricsUrl).not.toContain(`:${server.port}/`);

    const scraped = await fetch(server.metricsUrl!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/pushwire_\w+\{[^}]*app_id="1"/);

    const onClientPort = await fetch(`${server.httpUrl}/metrics`);
    expect(onClientPort.status).toBe(404);
    expect((await fetch(`${server.httpUrl}/`)).status).toBe(200);
  });

  it('counts open connections per app on pushwire_connections, down to 0 when they close', async () => {
    const server = await startTestServer({ metrics: true });
    const gauge = async () => {
      const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
      return /^pushwire_connections\{app_id="1"\} (\d+)$/m.exec(text)?.[1];
    };
    const first = await RawClient.connect(server.wsUrl);
    await RawClient.connect(server.wsUrl);
    expect(await gauge()).toBe('2');
    await first.close();
    await expect.poll(gauge).toBe('1');
    await closeAllRawClients();
    await expect.poll(gauge).toBe('0');
  });

  it('answers nothing but GET /metrics on the metrics port', async () => {
    const server = await startTestServer({ metrics: true, metricsPort: 0 });
    const base = server.metricsUrl!.replace(/\/metrics$/, '');
    for (const path of ['/', '/apps/1/channels', '/console', '/metrics/x']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
    expect((await fetch(server.metricsUrl!, { method: 'POST' })).status).toBe(404);
  });

  it('closes the metrics port on stop', async () => {
    const server = await startTestServer({ metrics: true, metricsPort: 0 });
    const url = server.metricsUrl!;
    await server.stop();
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses to start when the metrics port is taken, and releases the client port', async () => {
    const first = await startTestServer({ metrics: true, metricsPort: 0 });
    const taken = Number(new URL(first.metricsUrl!).port);
    const port = await freePort();
    await expect(startTestServer({ port, metrics: true, metricsPort: taken })).rejects.toThrow(
      /EADDRINUSE/,
    );
    const again = await startTestServer({ port });
    expect(again.port).toBe(port);
  });
});
