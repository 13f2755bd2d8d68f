/**
 * Which browser origins may connect to an app (its `allowedOrigins`): over WebSocket, where a
 * refused origin is closed with 4009, and over the HTTP fallback, where CORS answers only the
 * origins allowed. Pure: the endpoints pass the `Origin` header in.
 */

/**
 * `allowed` null admits every origin. Entries are exact origins (`https://app.example.com`),
 * `*` (any), or a leading-wildcard host (`https://*.example.com`: any subdomain, not the apex).
 * A request without an `Origin` header is not a browser's, so the check does not apply to it.
 */
export function originAllowed(allowed: readonly string[] | null, origin: string | undefined) {
  if (allowed === null || origin === undefined) return true;
  const candidate = origin.toLowerCase();
  return allowed.some((entry) => matches(entry.toLowerCase(), candidate));
}

function matches(entry: string, origin: string): boolean {
  if (entry === '*' || entry === origin) return true;
  const star = entry.indexOf('://*.');
  if (star === -1) return false;
  const scheme = entry.slice(0, star + 3);
  const suffix = entry.slice(star + 4);
  return origin.startsWith(scheme) && origin.endsWith(suffix) && origin.length > entry.length - 1;
}
