import { describe, expect, it } from 'vitest';
import type { AuthEndpoint } from '../handlers/types.ts';
import { handleFetchRequest } from './fetch.ts';

const echoEndpoint: AuthEndpoint<Request> = async (request) => ({
  status: 200,
  headers: { 'content-type': 'text/plain' },
  body: String(request.body?.length ?? 0),
});

/** A chunked body with no Content-Length: 1 KiB chunks, counting how many were pulled. */
function streamingRequest(chunks: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled++ === chunks) return controller.close();
      controller.enqueue(new Uint8Array(1024).fill(120));
    },
  });
  const request = new Request('http://app.test/pusher/auth', {
    method: 'POST',
    body: stream,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe('handleFetchRequest', () => {
  it('answers 413 to a chunked body over the limit without reading it all', async () => {
    const { request, pulled } = streamingRequest(10_000);
    const response = await handleFetchRequest(echoEndpoint, request, request, {
      maxBodyBytes: 64 * 1024,
    });
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThan(100);
  });

  it('reads a chunked body under the limit whole', async () => {
    const { request } = streamingRequest(10);
    const response = await handleFetchRequest(echoEndpoint, request, request, {
      maxBodyBytes: 64 * 1024,
    });
    expect(await response.text()).toBe(String(10 * 1024));
  });
});
