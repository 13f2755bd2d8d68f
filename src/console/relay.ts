/**
 * The live console across a cluster (adapter/cluster.ts ConsoleLink): every RELAY_INTERVAL_MS,
 * and at once when this node's watched apps change, this node marks the apps it watches (for
 * three intervals, so a node that dies is forgotten) and learns which apps other nodes watch;
 * the hub relays those apps' entries only. While nobody watches, a node sends nothing and only
 * asks, in one small script call per interval.
 */
import type { ConsoleLink } from '../adapter/cluster.ts';
import type { ConsoleHub } from './hub.ts';

export const RELAY_INTERVAL_MS = 2_000;

export class ConsoleRelay {
  readonly #timer: NodeJS.Timeout;
  #receiving = '';
  #exchanging = false;
  /** The watched apps changed while an exchange was under way: exchange again after it. */
  #again = false;
  /** Reported once per run of failures, not every interval. */
  #failing = false;

  constructor(
    private readonly hub: ConsoleHub,
    private readonly link: ConsoleLink,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#timer = setInterval(() => this.#exchange(), RELAY_INTERVAL_MS);
    this.#timer.unref();
    hub.onWatchedChange = () => this.#exchange();
    this.#exchange();
  }

  #exchange(): void {
    const watched = this.hub.watchedApps();
    const receiving = watched.join('\n');
    if (receiving !== this.#receiving) {
      this.#receiving = receiving;
      this.link.receiveConsole(watched, (appId, line) => this.hub.receive(appId, line));
    }
    if (this.#exchanging) {
      this.#again = true;
      return;
    }
    this.#exchanging = true;
    this.link
      .exchangeWatched(watched, RELAY_INTERVAL_MS * 3)
      .then(
        (elsewhere) => {
          this.#failing = false;
          this.hub.relayTo(elsewhere, (appId, line) => this.link.sendConsole(appId, line));
        },
        (error: unknown) => {
          if (!this.#failing) this.onError(error);
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#exchanging = false;
        if (this.#again) {
          this.#again = false;
          this.#exchange();
        }
      });
  }

  close(): void {
    clearInterval(this.#timer);
    this.hub.onWatchedChange = undefined;
    this.link.close();
  }
}
