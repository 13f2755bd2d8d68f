/**
 * Self-signed certificates for TLS tests, made by the machine's openssl: an EC P-256 key and a
 * certificate for 127.0.0.1 and localhost, so clients that trust it verify the hostname too.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pem: string;
  /** SHA-256 fingerprint, as `tls` reports the peer's. */
  readonly fingerprint: string;
}

export function selfSignedCertificate(commonName: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    { stdio: 'ignore' },
  );
  const pem = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, pem, fingerprint: new X509Certificate(pem).fingerprint256 };
}
