/**
 * Every code a client or API caller can see, declared once (docs/protocol.md §4).
 *
 * Close codes come in bands that decide what pusher-js does next:
 * 4000-4099 never reconnect, 4100-4199 reconnect after a backoff, 4200-4299 reconnect at once.
 * Codes of 4300 and above are sent only as `pusher:error` on a socket that stays open,
 * because pusher-js treats an unknown close code ≥4300 as "refused, do not retry".
 */
export const ErrorCode = {
  TlsOnly: 4000,
  AppNotFound: 4001,
  AppDisabled: 4003,
  OverConnectionQuota: 4004,
  PathNotFound: 4005,
  InvalidVersion: 4006,
  UnsupportedProtocol: 4007,
  NoProtocolVersion: 4008,
  Unauthorized: 4009,
  OverCapacity: 4100,
  ReconnectNow: 4200,
  PongNotReceived: 4201,
  ClosedAfterInactivity: 4202,
  ClientEventRateLimit: 4301,
  WatchlistLimit: 4302,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** True when a code may be used to close a socket; ≥4300 codes never are (see above). */
export function isCloseCode(code: number): boolean {
  return code >= 4000 && code < 4300;
}
