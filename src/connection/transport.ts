/**
 * What a Session needs from the network: the seam between the pure connection logic and the
 * socket library. `transport/` implements it over `ws`; tests use a recording fake.
 */
import type { OutboundFrame } from '../protocol/frames.ts';

export interface Transport {
  /** Queues a frame for the peer. Never throws; frames after `close` are dropped. */
  send(frame: OutboundFrame): void;
  /** Closes the socket with a WebSocket close code (≥4000 from protocol/codes.ts). */
  close(code: number, reason: string): void;
}

/** Milliseconds since the epoch; injected so timeouts are tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
