/**
 * Native TLS: one port serves wss and https (WebSocket, HTTP API, console) with the configured
 * PEM files, and a renewal that replaces them is served without a restart. The clients are the
 * real ones: pusher-js with forceTLS in a process that trusts the test certificate through
 * NODE_EXTRA_CA_CERTS, and the official `pusher` SDK with useTLS and an agent that trusts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { connect } from 'node:tls';
import PusherServer from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type Certificate } from '../helpers/certificates.ts';
import { captureLog, LEVEL } from '../helpers/captured-log.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const SUBSCRIBER = new URL('../helpers/tls-subscriber.mjs', import.meta.url).pathname;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await stopAllServers();
});

/** pusher-js over wss in its own process, trusting `ca`; its JSON lines as they come. */
function subscriber(port: number, ca: Certificate) {
  // pusher-js sets an IP address as the TLS server name, which Node flags as deprecated.
  const child = spawn(process.execPath, ['--no-deprecation', SUBSCRIBER], {
    env: { ...process.env, PORT: String(port), NODE_EXTRA_CA_CERTS: ca.certFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk.toString()));
  return () =>
    output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The SHA-256 fingerprint of the certificate a fresh handshake is given. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}

/** Puts a renewed pair in place the way certbot and Kubernetes do: a rename over the old file. */
function replaceFiles(target: Certificate, renewed: { certFile: string; keyFile: string }) {
  copyFileSync(renewed.keyFile, `${target.keyFile}.new`);
  copyFileSync(renewed.certFile, `${target.certFile}.new`);
  renameSync(`${target.keyFile}.new`, target.keyFile);
  renameSync(`${target.certFile}.new`, target.certFile);
}

describe('native TLS', () => {
  it('serves pusher-js with forceTLS and the official SDK with useTLS on one port', async () => {
    const certificate = selfSignedCertificate('pushwire-tls-test');
    const server = await startTestServer({
      tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
      console: true,
    });
    expect(server.wsUrl).toBe(`wss://127.0.0.1:${server.port}`);
    const lines = subscriber(server.port, certificate);
    await waitUntil(() => lines().some((l) => l.subscribed === 'news'), 'a wss subscription');

    const sdk = new PusherServer({
      appId: '1',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(server.port),
      useTLS: true,
      agent: new Agent({ ca: certificate.pem }),
    });
    await sdk.trigger('news', 'flash', { over: 'tls' });
    await waitUntil(() => lines().some((l) => l.event === 'flash'), 'the event over wss');
    expect(lines().find((l) => l.event === 'flash')?.data).toEqual({ over: 'tls' });
    expect(await (await sdk.get({ path: '/channels' })).json()).toEqual({
      channels: { news: {} },
    });

    const page = await httpsGet(`${server.httpUrl}/console`, certificate.pem);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
  });

  it('serves a renewed certificate without a restart, and keeps the old one while a new pair does not load', async () => {
    const first = selfSignedCertificate('pushwire-first');
    const log = captureLog();
    const server = await startTestServer(
      { tls: { certFile: first.certFile, keyFile: first.keyFile, reloadIntervalMs: 50 } },
      { logger: log.logger },
    );
    expect(await servedFingerprint(server.port)).toBe(first.fingerprint);
    const lines = subscriber(server.port, first);
    await waitUntil(() => lines().some((l) => l.subscribed === 'news'), 'a wss subscription');

    const renewed = selfSignedCertificate('pushwire-renewed');
    replaceFiles(first, renewed);
    await waitUntil(
      async () => (await servedFingerprint(server.port)) === renewed.fingerprint,
      'the renewed certificate to be served',
    );
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: LEVEL.info, msg: 'TLS certificate reloaded' }),
    );
    // The test certificates last two days: each one served is flagged as about to expire.
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: LEVEL.warn,
        msg: expect.stringMatching(/^TLS certificate expires in 1 day: CN=pushwire-renewed/),
      }),
    );
    // The connection made before the renewal carries on.
    expect(lines().at(-1)).toEqual({ subscribed: 'news' });

    // A certificate whose key has not been written yet: refused, the renewed pair stays.
    const warnings = () => log.lines().filter((l) => l.level === LEVEL.warn).length;
    const before = warnings();
    const other = selfSignedCertificate('pushwire-mismatch');
    replaceFiles(first, { certFile: other.certFile, keyFile: renewed.keyFile });
    await waitUntil(() => warnings() > before, 'a warning about the pair that does not load');
    expect(await servedFingerprint(server.port)).toBe(renewed.fingerprint);
    expect(log.text()).not.toContain('PRIVATE KEY');
  });

  it('refuses to start, naming the file, when the key cannot be read', async () => {
    const certificate = selfSignedCertificate('pushwire-missing-key');
    await expect(
      startTestServer({ tls: { certFile: certificate.certFile, keyFile: '/nonexistent/key.pem' } }),
    ).rejects.toThrow(/tls\.keyFile \/nonexistent\/key\.pem: ENOENT/);
  });
});
