/**
 * The certificate and key of native TLS, read from disk and watched: a renewal (certbot, a
 * Kubernetes secret, cert-manager) replaces the files, and the next check serves the new pair
 * without a restart. Files are compared by stat (following symlinks), so a swapped symlink or a
 * rewritten file both count; a pair that does not load (the key written before the certificate,
 * say) is reported once and the previous pair stays in use until a later check loads one.
 */
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { PushwireError } from '../errors.ts';
import type { TlsConfig } from '../config/schema.ts';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** `CN=… until …` of the leaf certificate, for the log (no secret in it). */
  readonly summary: string;
  /** When the leaf certificate stops being valid (ms since the epoch). */
  readonly expiresAt: number;
  /** The files' stat before they were read: a change after that is seen by the watch. */
  readonly stamp: string;
}

/** A certificate or key that cannot be read or does not load; the message names the file. */
export class TlsFilesError extends PushwireError {
  override readonly name = 'TlsFilesError';
}

export function readTlsFiles(tls: TlsConfig): TlsMaterial {
  const before = stamp(tls);
  const cert = readFile('tls.certFile', tls.certFile);
  const key = readFile('tls.keyFile', tls.keyFile);
  let summary: string;
  let expiresAt: number;
  try {
    createSecureContext({ cert, key });
    const leaf = new X509Certificate(cert);
    summary = `${leaf.subject.replace(/\n/g, ', ')} until ${leaf.validTo}`;
    expiresAt = Date.parse(leaf.validTo);
  } catch (error) {
    // OpenSSL's reason ("key values mismatch", "no start line") says which is wrong.
    throw new TlsFilesError(
      `tls: ${tls.certFile} and ${tls.keyFile} do not load as a certificate and its key: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { cert, key, summary, expiresAt, stamp: before };
}

function readFile(field: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsFilesError(`${field} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** What identifies the files' current contents without reading them. */
function stamp(tls: TlsConfig): string {
  return [tls.certFile, tls.keyFile]
    .map((path) => {
      try {
        const stat = statSync(path);
        return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

export interface TlsWatchOptions {
  readonly tls: TlsConfig;
  /** The pair served now. */
  readonly served: TlsMaterial;
  /** A new pair that loads; called once per change. */
  readonly onReload: (material: TlsMaterial) => void;
  /** A changed pair that does not load (yet); called once per distinct change. */
  readonly onError: (error: TlsFilesError) => void;
}

/** Checks the files every `reloadIntervalMs`; `close()` stops. Never throws into the timer. */
export function watchTlsFiles(options: TlsWatchOptions): { close(): void } {
  const { tls } = options;
  let served = options.served.stamp;
  let reported = served;
  const timer = setInterval(() => {
    const current = stamp(tls);
    if (current === served) return;
    try {
      const material = readTlsFiles(tls);
      served = reported = material.stamp;
      options.onReload(material);
    } catch (error) {
      if (current === reported) return;
      reported = current;
      options.onError(
        error instanceof TlsFilesError ? error : new TlsFilesError(String(error), { cause: error }),
      );
    }
  }, tls.reloadIntervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}

const DAY_MS = 86_400_000;
/** Renewals (certbot, cert-manager) run a month ahead: two weeks left means one has failed. */
const EXPIRY_WARNING_DAYS = 14;

/** A warning when the certificate has expired or expires within two weeks; otherwise none. */
export function expiryWarning(material: TlsMaterial, now: number): string | undefined {
  const days = Math.floor((material.expiresAt - now) / DAY_MS);
  if (material.expiresAt <= now) return `TLS certificate expired: ${material.summary}`;
  if (days >= EXPIRY_WARNING_DAYS) return undefined;
  const when = days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`;
  return `TLS certificate expires ${when}: ${material.summary}; is its renewal running?`;
}
