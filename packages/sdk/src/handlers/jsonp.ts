/**
 * JSONP responses (docs/protocol.md §13.3). The callback name is echoed into executable script, so it
 * is checked first against the two forms we accept: what pusher-js sends
 * (`Pusher.auth_callbacks['N']`) and plain dotted identifiers (`a.b.c`). Anything else is
 * refused and never echoed. [U] the exact acceptance rule is ours.
 */
const PUSHER_CALLBACK = /^Pusher\.auth_callbacks\['\d{1,10}'\]$/;
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const MAX_CALLBACK_LENGTH = 128;

export function isSafeCallback(callback: unknown): callback is string {
  return (
    typeof callback === 'string' &&
    callback.length <= MAX_CALLBACK_LENGTH &&
    (PUSHER_CALLBACK.test(callback) || DOTTED_IDENTIFIER.test(callback))
  );
}

/**
 * `callback(json);` with every non-ASCII character escaped: the script then means the same
 * whatever charset the browser assumes, and the parsed strings (which the signature covers) are
 * unchanged.
 */
export function jsonpBody(callback: string, value: unknown): string {
  const json = JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${callback}(${json});`;
}
