// A pusher-js client in a process of its own, so that NODE_EXTRA_CA_CERTS (read once, at
// start) makes it trust a test certificate. It connects with forceTLS, subscribes to CHANNEL
// and prints one JSON line per state change and per event received.
import { createRequire } from 'node:module';

const Pusher = createRequire(import.meta.url)('pusher-js');
const { PORT, KEY = 'app-key', CHANNEL = 'news' } = process.env;
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const pusher = new Pusher(KEY, {
  cluster: 'local',
  wsHost: '127.0.0.1',
  wssPort: Number(PORT),
  forceTLS: true,
  enabledTransports: ['ws'],
});
pusher.connection.bind('state_change', ({ current }) => print({ state: current }));
pusher.connection.bind('error', (error) =>
  print({ error: String(error?.error?.data?.code ?? error?.type) }),
);
const channel = pusher.subscribe(CHANNEL);
channel.bind('pusher:subscription_succeeded', () => print({ subscribed: CHANNEL }));
channel.bind_global((event, data) => {
  if (!event.startsWith('pusher')) print({ event, data });
});
process.on('SIGTERM', () => {
  pusher.disconnect();
  process.exit(0);
});
