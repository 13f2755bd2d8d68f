/** The live console's feed as a browser reads it: a signed GET, its entries as they arrive. */
import { createHmac } from 'node:crypto';

const open = new Set<AbortController>();

/** The feed URL of `app` on `httpUrl`, signed like any API request. */
export function consoleFeedUrl(
  httpUrl: string,
  app = { id: '1', key: 'app-key', secret: 'app-secret' },
): string {
  const path = `/apps/${encodeURIComponent(app.id)}/console`;
  const query = `auth_key=${app.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0`;
  const signature = createHmac('sha256', app.secret).update(`GET\n${path}\n${query}`).digest('hex');
  return `${httpUrl}${path}?${query}&auth_signature=${signature}`;
}

/** Opens the feed and collects its entries as they arrive. */
export async function watchFeed(url: string) {
  const abort = new AbortController();
  open.add(abort);
  const response = await fetch(url, { signal: abort.signal });
  const entries: Array<Record<string, unknown>> = [];
  if (response.ok && response.body) {
    const decoder = new TextDecoder();
    let buffered = '';
    void (async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (block.startsWith('data: ')) entries.push(JSON.parse(block.slice(6)));
        }
      }
    })().catch(() => undefined);
  }
  return { response, entries, names: () => entries.map((entry) => entry.name) };
}

/** Ends every feed still open (afterEach). */
export function stopAllFeeds(): void {
  for (const feed of open) feed.abort();
  open.clear();
}
