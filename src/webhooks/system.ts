/** The real edges of webhook delivery: the HTTP sender and the system's timers. */
import type { WebhookSender } from './delivery.ts';
import type { Scheduler } from './dispatcher.ts';

/** Bytes of a receiver's answer read (so its connection can be reused); a longer one is cut. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The real sender: a POST that gives up after `timeoutMs`. Only the status of the answer matters. */
export const fetchSender: WebhookSender = async (url, body, headers, timeoutMs) => {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await discard(response.body, MAX_ANSWER_BYTES);
  return response.status;
};

/** Reads and drops a body, never holding it: past `maxBytes` the rest is not read at all. */
async function discard(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  for (let seen = 0; seen <= maxBytes;) {
    const chunk = await reader.read();
    if (chunk.done) return;
    seen += chunk.value.byteLength;
  }
  await reader.cancel();
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
