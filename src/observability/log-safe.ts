/**
 * What a refusal reason may say in the log. A client is told the signature it sent (Pusher does
 * this, and it helps the app's developer); the log is often shared, so signatures leave it:
 * the part after "but got", and any run of 64 hex digits (an HMAC-SHA256), become [signature].
 */
export function withoutSignatures(reason: string): string {
  return reason
    .replace(/(but got ).*$/s, '$1[signature]')
    .replace(/\b[0-9a-f]{64}\b/gi, '[signature]')
    .slice(0, 500);
}
