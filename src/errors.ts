/**
 * The base of every error Pushwire throws, so callers test `instanceof PushwireError` and read
 * `code` rather than parse messages. `code` is a protocol code from protocol/codes.ts where one
 * applies, or `null`. Client input never throws: it gets a `pusher:error` or an HTTP status.
 */
export class PushwireError extends Error {
  override readonly name: string = 'PushwireError';
  readonly code: number | null;

  constructor(message: string, options: { code?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? null;
  }
}

/** A configuration that failed validation; `issues` name each field and what is wrong. */
export class ConfigError extends PushwireError {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

/**
 * The cluster's shared state (Redis) cannot be reached or is being rebuilt: nothing was done, so
 * the caller may retry. The HTTP API answers it with 503; a held subscription that times out
 * tells its client to reconnect (4200).
 */
export class AdapterUnavailableError extends PushwireError {
  override readonly name = 'AdapterUnavailableError';
  constructor(message = 'Cluster state unavailable (Redis unreachable): retry', cause?: unknown) {
    super(message, cause === undefined ? {} : { cause });
  }
}

/**
 * A publish was written to Redis and the node could not learn whether Redis ran it (its link
 * failed before the reply and stayed down, or Redis restarted): it may have been delivered, in
 * whole, or on a Redis Cluster in part. The HTTP API answers it with 504; a retry may deliver
 * the event twice.
 */
export class PublishOutcomeUnknownError extends PushwireError {
  override readonly name = 'PublishOutcomeUnknownError';
  constructor(cause?: unknown) {
    super(
      'Redis did not confirm the publish and its outcome is unknown: it may have been delivered',
      cause === undefined ? {} : { cause },
    );
  }
}
