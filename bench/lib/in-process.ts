/**
 * What the in-process benchmarks share: Sessions on a LocalAdapter with the default app, and a
 * transport that frames each reply as the WebSocket transport would and counts its bytes.
 */
import { LocalAdapter } from '../../src/adapter/local.ts';
import { appSchema, configSchema, DEFAULT_APP } from '../../src/config/schema.ts';
import type { SessionDeps } from '../../src/connection/session.ts';
import type { Transport } from '../../src/connection/transport.ts';
import type { OutboundFrame } from '../../src/protocol/frames.ts';
import { encodeTextFrame } from '../../src/transport/ws-frame.ts';

export function inProcessSessions() {
  const sent = { bytes: 0 };
  const transport: Transport = {
    send(frame: OutboundFrame) {
      sent.bytes += frame.encodedWith(encodeTextFrame).length;
    },
    close() {},
  };
  const app = appSchema.parse({ ...DEFAULT_APP });
  const deps: SessionDeps = {
    app,
    limits: configSchema.parse({}),
    adapter: new LocalAdapter(),
    clock: { now: () => Date.now() },
    events: () => {},
  };
  return { app, deps, transport, sent };
}
