/**
 * The errors the SDK throws. Every one is a `PushwireSdkError` whose `code` names what is wrong,
 * so callers branch on `code` instead of parsing messages. `RequestError` and `WebHookError` keep
 * the names and fields of the official `pusher` SDK's errors, so code that reads `status`/`body`
 * or `contentType`/`signature` on them keeps working.
 */
export type SdkErrorCode =
  | 'invalid_options'
  | 'invalid_socket_id'
  | 'invalid_channel_name'
  | 'channel_name_too_long'
  | 'invalid_presence_data'
  | 'invalid_user_data'
  | 'invalid_user_id'
  | 'invalid_event_name'
  | 'event_name_too_long'
  | 'too_many_channels'
  | 'encrypted_multi_channel'
  | 'missing_master_key'
  | 'reserved_query_param'
  | 'request_failed'
  | 'invalid_webhook';

export class PushwireSdkError extends Error {
  override readonly name: string = 'PushwireSdkError';
  readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * An HTTP API call that failed: the server answered >= 400 (`status`, `body` set) or the request
 * never completed (`error` holds the cause). Same fields as the official SDK's `RequestError`.
 */
export class RequestError extends PushwireSdkError {
  override readonly name = 'PusherRequestError';

  constructor(
    message: string,
    readonly url: string,
    readonly error?: unknown,
    readonly status?: number,
    readonly body?: string,
  ) {
    super('request_failed', message, { cause: error });
  }
}

/** Reading the data of a webhook whose body is not valid JSON. */
export class WebHookError extends PushwireSdkError {
  override readonly name = 'PusherWebHookError';

  constructor(
    message: string,
    readonly contentType: string | undefined,
    readonly body: string | undefined,
    readonly signature: string | undefined,
  ) {
    super('invalid_webhook', message);
  }
}
