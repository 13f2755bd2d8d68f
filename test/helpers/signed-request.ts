/**
 * Raw HTTP API requests, signed here the way docs/protocol.md §11.2 describes, so tests can send
 * exactly the malformed or mis-signed request they mean to.
 */
import { createHash, createHmac } from 'node:crypto';

export interface RawRequest {
  method?: string;
  path: string;
  body?: string;
  params?: Record<string, string>;
  key?: string;
  secret?: string;
  timestamp?: number;
  /** Sign as usual, then replace body_md5 with this value. */
  bodyMd5?: string;
  /** Sign over this body but send `body`. */
  signedBody?: string;
}

/** The method and the signed path with its query, as they go in the request line. */
export function signedTarget(request: RawRequest): { method: string; target: string } {
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
  const params: Record<string, string> = {
    auth_key: request.key ?? 'app-key',
    auth_timestamp: String(request.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...request.params,
  };
  const signedBody = request.signedBody ?? request.body;
  if (signedBody !== undefined)
    params.body_md5 = createHash('md5').update(signedBody).digest('hex');
  if (request.bodyMd5 !== undefined) params.body_md5 = request.bodyMd5;
  const canonical = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
  const signature = createHmac('sha256', request.secret ?? 'app-secret')
    .update(`${method}\n${request.path}\n${canonical}`)
    .digest('hex');
  return { method, target: `${request.path}?${canonical}&auth_signature=${signature}` };
}

export async function signedRequest(baseUrl: string, request: RawRequest) {
  const { method, target } = signedTarget(request);
  const response = await fetch(`${baseUrl}${target}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  return { status: response.status, text, body: safeJson(text), url: response.url };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
