/**
 * `GET /apps/{id}/console`: an app's live console feed as server-sent events, one `data:` line of
 * JSON per entry. Signed like every API request, so only a holder of the app's secret can watch.
 * A watcher that does not read is not buffered for: past MAX_BACKLOG unsent bytes its entries are
 * dropped, and it is told how many once it reads again.
 */
import type { ConsoleHub } from '../console/hub.ts';
import type { HttpResponse } from './types.ts';

const MAX_BACKLOG = 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;

export function consoleFeed(hub: ConsoleHub, appId: string): HttpResponse {
  return {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Proxies such as nginx must not hold the stream back.
      'x-accel-buffering': 'no',
    },
    body: '',
    stream: (out) => {
      let dropped = 0;
      const stop = hub.watch(appId, (line) => {
        if (out.backlog() > MAX_BACKLOG) {
          dropped++;
          return;
        }
        if (dropped > 0) out.write(`data: {"name":"dropped","count":${dropped}}\n\n`);
        dropped = 0;
        out.write(`data: ${line}\n\n`);
      });
      // A comment line: keeps idle proxies from closing the stream, and sends the head at once.
      out.write(': watching\n\n');
      const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      keepAlive.unref();
      return () => {
        stop();
        clearInterval(keepAlive);
      };
    },
  };
}
