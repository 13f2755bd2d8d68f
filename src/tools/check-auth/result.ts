/** What one check of an auth endpoint's answer yields, and the answer it looks at. */
export interface Received {
  readonly status: number;
  /** The `Content-Type` header as sent, or undefined. */
  readonly contentType: string | undefined;
  readonly body: string;
  /** The `Location` header of a redirect. */
  readonly location?: string | undefined;
}

export interface CheckResult {
  /** Short name: `status`, `content type`, `body`, `auth`, `signature`, … */
  readonly name: string;
  readonly ok: boolean;
  /** What holds, or what is wrong. */
  readonly message: string;
  /** For a failure: the most likely cause, in plain words. */
  readonly cause?: string;
}

export interface CheckContext {
  readonly key: string;
  readonly secret: string;
  readonly socketId: string;
  /** Set in JSONP mode: the callback name sent. */
  readonly callback?: string | undefined;
}

export const pass = (name: string, message: string): CheckResult => ({ name, ok: true, message });
export const fail = (name: string, message: string, cause: string): CheckResult => ({
  name,
  ok: false,
  message,
  cause,
});
