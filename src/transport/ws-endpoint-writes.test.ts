import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawClient } from '../../test/helpers/raw-client.ts';
import { startTestServer, stopAllServers } from '../../test/helpers/server.ts';
import { DEFAULT_APP } from '../config/schema.ts';

afterEach(async () => {
  vi.restoreAllMocks();
  await stopAllServers();
});

/** Counts the write syscalls (write or writev) the server makes on its accepted sockets. */
function countServerWrites(): { count: number } {
  const counter = { count: 0 };
  const proto = Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const original = proto._writeGeneric;
  vi.spyOn(proto, '_writeGeneric').mockImplementation(function (this: Socket, ...args) {
    // A socket a server accepted has `server` set; the test's own client socket does not.
    if ((this as Socket & { server?: unknown }).server) counter.count++;
    return original.apply(this, args);
  });
  return counter;
}

describe('WebSocket upgrade writes', () => {
  it('sends the 101 response and connection_established in one write', async () => {
    const server = await startTestServer();
    const writes = countServerWrites();
    const client = await RawClient.open(`${server.wsUrl}/app/${DEFAULT_APP.key}?protocol=7`);
    const established = await client.waitForEvent('pusher:connection_established');
    expect(established.event).toBe('pusher:connection_established');
    expect(writes.count).toBe(1);
  });

  it('sends the 101 response, a refusal and its close frame in one write', async () => {
    const server = await startTestServer();
    const writes = countServerWrites();
    const client = await RawClient.open(`${server.wsUrl}/app/no-such-key?protocol=7`);
    const refused = await client.waitForEvent('pusher:error');
    expect(refused.data).toMatchObject({ code: 4001 });
    expect((await client.closed).code).toBe(4001);
    expect(writes.count).toBe(1);
  });
});
