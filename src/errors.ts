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
