/**
 * JSONP responses (docs/protocol.md §13.3). The callback name is echoed into executable script, so it
 * is checked first. By default only what pusher-js sends (`Pusher.auth_callbacks['N']`) passes:
 * any other name would let a page that includes the endpoint pick the function the signed auth
 * is handed to (`location.assign`, say). An endpoint may accept its own callbacks as well
 * (`jsonpCallbacks`), but only among plain dotted identifiers (`a.b.c`): a custom rule narrows
 * that safe form, it never widens it. Anything refused is never echoed. [U] the rule is ours.
 */
const PUSHER_CALLBACK = /^Pusher\.auth_callbacks\['\d{1,10}'\]$/;
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const MAX_CALLBACK_LENGTH = 128;

/**
 * Which callback names besides pusher-js's own an endpoint answers: a RegExp the whole name must
 * match, or a predicate. Either is asked only about plain dotted identifiers.
 */
export type JsonpCallbackRule = RegExp | ((callback: string) => boolean);

export function isSafeCallback(callback: unknown, custom?: JsonpCallbackRule): callback is string {
  if (typeof callback !== 'string' || callback.length > MAX_CALLBACK_LENGTH) return false;
  if (PUSHER_CALLBACK.test(callback)) return true;
  if (custom === undefined || !DOTTED_IDENTIFIER.test(callback)) return false;
  return typeof custom === 'function'
    ? askPredicate(custom, callback)
    : matchesWhole(custom, callback);
}

/** A predicate that throws refuses: the request gets a 400, not a 500. */
function askPredicate(predicate: (callback: string) => boolean, callback: string): boolean {
  try {
    return predicate(callback) === true;
  } catch {
    return false;
  }
}

/** The whole name, whatever the RegExp's anchors and flags (a `g` RegExp keeps state). */
function matchesWhole(rule: RegExp, callback: string): boolean {
  rule.lastIndex = 0;
  const match = rule.exec(callback);
  return match !== null && match.index === 0 && match[0].length === callback.length;
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
