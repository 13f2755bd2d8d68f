// sdk.ts: one SDK for the app, configured from its environment.
import process from 'node:process';
import { Pushwire } from '../../src/sdk/index.ts';

export const sdk = new Pushwire({
  appId: process.env.PUSHER_APP_ID ?? '1',
  key: process.env.PUSHER_APP_KEY ?? 'app-key',
  secret: process.env.PUSHER_APP_SECRET ?? 'app-secret',
  host: process.env.PUSHER_HOST ?? '127.0.0.1',
  port: process.env.PUSHER_PORT ?? '6001',
});
