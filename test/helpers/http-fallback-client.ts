/**
 * Raw requests of pusher-js's HTTP fallback, for tests that need to send what pusher-js never
 * would: a bad session id, a broken body, a second stream. Every stream opened here is closed
 * by `closeAllStreams` (afterEach).
 */
import { request, type IncomingHttpHeaders, type ClientRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { waitUntil } from './wait.ts';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const QUERY = '?protocol=7&client=js&version=8.6.0';

/** A fresh `{server}/{session}` as pusher-js makes them. */
export const newSessionId = (): string =>
  `${Math.floor(Math.random() * 1000)}/${randomBytes(4).toString('hex')}`;

export const sessionPath = (session: string, kind: string, key = 'app-key'): string =>
  `/pusher/app/${key}/${session}/${kind}${kind === 'xhr_send' ? '' : QUERY}`;

/** One request, answered in full. */
export function post(
  port: number,
  path: string,
  body = '',
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends protocol frames on a session, as pusher-js's `xhr_send` does. */
export const send = (port: number, session: string, ...frames: object[]): Promise<RawResponse> =>
  post(
    port,
    sessionPath(session, 'xhr_send'),
    JSON.stringify(frames.map((frame) => JSON.stringify(frame))),
  );

const streams = new Set<RawStream>();

/** A receiving request (a stream or a poll) whose lines are read as they come. */
export class RawStream {
  readonly lines: string[] = [];
  status = 0;
  headers: IncomingHttpHeaders = {};
  ended = false;
  readonly #req: ClientRequest;

  private constructor(req: ClientRequest) {
    this.#req = req;
    streams.add(this);
  }

  static open(
    port: number,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<RawStream> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers });
      const stream = new RawStream(req);
      let partial = '';
      req.on('response', (res) => {
        stream.status = res.statusCode ?? 0;
        stream.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop() ?? '';
          stream.lines.push(...parts);
        });
        res.on('end', () => (stream.ended = true));
        res.on('error', () => (stream.ended = true));
        resolve(stream);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The protocol frames carried so far in `a[…]` lines, parsed. */
  get messages(): { event: string; channel?: string; data?: unknown }[] {
    return this.lines
      .filter((line) => line.startsWith('a'))
      .flatMap((line) => JSON.parse(line.slice(1)) as string[])
      .map((message) => JSON.parse(message) as { event: string; data?: unknown });
  }

  waitForLine(predicate: (line: string) => boolean, what: string): Promise<string> {
    return waitUntil(() => this.lines.find(predicate), what);
  }

  waitForEvent(event: string): Promise<{ event: string; data?: unknown }> {
    return waitUntil(() => this.messages.find((m) => m.event === event), `event ${event}`);
  }

  /** Drops the request, as pusher-js does when it closes the socket. */
  close(): void {
    streams.delete(this);
    this.#req.destroy();
  }
}

export function closeAllStreams(): void {
  for (const stream of [...streams]) stream.close();
}
