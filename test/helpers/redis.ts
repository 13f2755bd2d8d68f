/** Gate and key prefixes for suites that need a real Redis at 127.0.0.1:6379. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { serviceGate } from './service-gate.ts';

export const REDIS_URL = process.env.PUSHWIRE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url`, within a second. */
export async function redisAnswers(url = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when the Redis suites should run; prints the reason when they are skipped. */
export const redisGate = (suite: string): Promise<boolean> =>
  serviceGate(suite, { name: 'Redis', url: REDIS_URL, answers: () => redisAnswers() });

/** A key prefix no other test shares, so suites never see each other's state. */
export const uniquePrefix = (label: string) => `pushwire-test:${label}:${randomUUID().slice(0, 8)}`;
