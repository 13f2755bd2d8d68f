/**
 * What a webhook receiver answers is never held in memory (issue #9): only its status counts, so
 * an endless or huge answer is cut off, not read to the end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchSender } from '../../src/webhooks/dispatcher.ts';

let receiver: Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve) ?? resolve(undefined));
});

/** A receiver that answers `status`, then sends body bytes for as long as it is read. */
async function endlessReceiver(status: number): Promise<string> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  receiver = createServer((request, response) => {
    request.resume();
    response.writeHead(status);
    const more = () => {
      while (!response.destroyed && response.write(chunk));
    };
    response.on('drain', more);
    response.on('error', () => undefined);
    more();
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}

describe('webhook answers', () => {
  it.each([200, 500])(
    'takes the status %i of an endless answer without reading it all',
    async (status) => {
      const url = await endlessReceiver(status);
      const started = Date.now();
      expect(await fetchSender(url, '{}', { 'content-type': 'application/json' }, 10_000)).toBe(
        status,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );
});
