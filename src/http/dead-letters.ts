/**
 * The webhooks an app's receiver never took: `GET /apps/{id}/webhooks/dead_letters` lists them,
 * newest first, and `POST /apps/{id}/webhooks/dead_letters/{letter}/redeliver` queues one again
 * (a 200 means it is queued, with a fresh retry window). Signed like every API call.
 */
import type { DeadLetter } from '../webhooks/queue.ts';
import { httpError, json, type HttpResponse } from './types.ts';

export interface DeadLetterStore {
  deadLetters(appId: string): Promise<DeadLetter[]>;
  redeliver(appId: string, id: string): Promise<boolean>;
}

/** A letter as the API shows it: snake case, like the rest of the HTTP API. */
const shown = (letter: DeadLetter) => ({
  id: letter.id,
  url: letter.url,
  events: letter.events,
  attempts: letter.attempts,
  last_error: letter.lastError,
  queued_at_ms: letter.queuedAt,
  failed_at_ms: letter.failedAt,
});

export async function listDeadLetters(
  store: DeadLetterStore | undefined,
  appId: string,
): Promise<HttpResponse> {
  if (!store) return json(200, { dead_letters: [] });
  try {
    return json(200, { dead_letters: (await store.deadLetters(appId)).map(shown) });
  } catch {
    return httpError(503, 'The webhook queue is unavailable; try again');
  }
}

export async function redeliverDeadLetter(
  store: DeadLetterStore | undefined,
  appId: string,
  id: string,
): Promise<HttpResponse> {
  try {
    if (store && (await store.redeliver(appId, id))) return json(200, {});
  } catch {
    return httpError(503, 'The webhook queue is unavailable; try again');
  }
  return httpError(404, `No dead letter ${id.slice(0, 100)}`);
}
