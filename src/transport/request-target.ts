/**
 * The request line's target as a URL. The origin form (`/path?query`) is read against a fixed
 * origin by concatenation, not as a relative reference: `new URL('//%', base)` would read `//%`
 * as a host and throw, and `//x/apps` would lose `x` from the path. The absolute form
 * (`http://host/path`, which proxies send) is read as it is. Anything else (`*`, junk) is no
 * target: undefined, answered with a 400.
 */
export function requestTarget(target: string | undefined): URL | undefined {
  const text = target ?? '/';
  try {
    return new URL(text.startsWith('/') ? `http://localhost${text}` : text);
  } catch {
    return undefined;
  }
}
