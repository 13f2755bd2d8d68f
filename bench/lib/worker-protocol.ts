/** The commands a coordinator sends a worker, and the counters a worker reports. */
export type Command =
  | { cmd: 'connect'; url: string; count: number; firstIndex: number; concurrency: number }
  | {
      cmd: 'prepare';
      kind: 'public' | 'private' | 'presence';
      prefix: string;
      /** Client with global index g joins channel `${prefix}${floor(g / groupSize)}`. */
      groupSize: number;
      key: string;
      secret: string;
    }
  | { cmd: 'subscribe' }
  | { cmd: 'reset' }
  | { cmd: 'report'; histogram: boolean }
  | { cmd: 'pingpong'; durationMs: number }
  | { cmd: 'stop-reading' }
  | { cmd: 'close' };

export interface Report {
  readonly subscribed: number;
  readonly subscribeErrors: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly memberAdded: number;
  readonly events: number;
  readonly firstSentAt: number;
  readonly lastSubscribedAt: number;
  readonly lastMemberAddedAt: number;
  readonly lastEventAt: number;
  readonly closedByServer: number;
  readonly closeCodes: Record<string, number>;
  readonly open: number;
  readonly cpuMicros: number;
  readonly histogram?: { pairs: number[]; max: number };
}
