/**
 * `GET /apps/{id}/console`: an app's live console feed as server-sent events, one `data:` line of
 * JSON per entry. Signed like every API request, so only a holder of the app's secret can watch,
 * and checked again every second: a stream ends once its app is removed or disabled, or its key
 * or secret changes (a leaked secret is revoked by changing it). A watcher that does not read is
 * not buffered for: past MAX_BACKLOG unsent bytes its entries are dropped, and once it has caught
 * up it is told how many.
 */
import type { AppConfig } from '../config/schema.ts';
import type { ConsoleHub } from '../console/hub.ts';
import { summaryTicker, type ConsoleSummary } from '../console/summary.ts';
import type { HttpResponse } from './types.ts';

const MAX_BACKLOG = 1024 * 1024;
const CHECK_INTERVAL_MS = 1000;
/** Checks between keep-alive comments, which stop idle proxies from closing the stream. */
const KEEP_ALIVE_CHECKS = 15;
/** Checks between summaries: the panel's counts are at most about two seconds old. */
const SUMMARY_CHECKS = 2;

/**
 * `current()` answers the app as the store has it now; `summarize()`, when given, what the
 * summary panel shows, sent at once and then every SUMMARY_CHECKS checks when it changed.
 */
export function consoleFeed(
  hub: ConsoleHub,
  app: AppConfig,
  current: () => AppConfig | undefined,
  summarize?: () => Promise<ConsoleSummary>,
): HttpResponse {
  const stillAllowed = () => {
    const now = current();
    return now !== undefined && now.enabled && now.key === app.key && now.secret === app.secret;
  };
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
      // Set once the feed ends, before its response has drained and closed: nothing is written
      // to it after that, whatever still arrives from the hub or the timer.
      let closed = false;
      let dropped = 0;
      const send = (chunk: string) => {
        if (!closed) out.write(chunk);
      };
      const reportDropped = () => {
        if (dropped === 0 || out.backlog() > MAX_BACKLOG) return;
        send(`data: {"name":"dropped","count":${dropped}}\n\n`);
        dropped = 0;
      };
      const stopWatching = hub.watch(app.id, (line) => {
        if (closed) return;
        if (out.backlog() > MAX_BACKLOG) {
          dropped++;
          return;
        }
        reportDropped();
        send(`data: ${line}\n\n`);
      });
      const summary = summarize
        ? summaryTicker(summarize, (line) => {
            if (out.backlog() <= MAX_BACKLOG) send(`data: ${line}\n\n`);
          })
        : undefined;
      const finish = () => {
        if (closed) return;
        closed = true;
        summary?.stop();
        stopWatching();
        clearInterval(check);
      };
      // A comment line sends the head at once.
      send(': watching\n\n');
      summary?.tick();
      let checks = 0;
      const check = setInterval(() => {
        if (!stillAllowed()) {
          // A slow reader's response closes only once its bytes drain, maybe never: stop now.
          finish();
          return out.end();
        }
        hub.reportCapped(app.id);
        if (checks % SUMMARY_CHECKS === 0) summary?.tick();
        reportDropped();
        if (++checks % KEEP_ALIVE_CHECKS === 0) send(': keep-alive\n\n');
      }, CHECK_INTERVAL_MS);
      check.unref();
      return finish;
    },
  };
}
