/**
 * The one error class Pushwire throws. `code` is a protocol code from protocol/codes.ts, or
 * `null` for the non-fatal `pusher:error` messages Pusher sends with `code: null` (§4.3);
 * `httpStatus` is set when the error answers an HTTP request.
 */
export class PushwireError extends Error {
  override readonly name = 'PushwireError';
  readonly code: number | null;
  readonly httpStatus: number | undefined;

  constructor(
    message: string,
    options: { code?: number | null; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? null;
    this.httpStatus = options.httpStatus;
  }
}

/** A configuration that failed validation; `issues` name each field and what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}
