/**
 * `pushwire/testing`: a real Pushwire inside the test process, for Vitest, Jest or any runner.
 * See docs/testing.md.
 */
export { startTestServer } from './test-server.ts';
export type {
  ChannelInfo,
  ChannelMember,
  ConnectionInfo,
  EventExpectation,
  PublishedEvent,
  PusherJsNodeOptions,
  PusherJsOptions,
  PusherServerOptions,
  TestCredentials,
  TestServer,
  TestServerOptions,
  WebhookExpectation,
} from './types.ts';
