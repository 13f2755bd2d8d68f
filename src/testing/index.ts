/**
 * `pushwire/testing`: a real Pushwire inside the test process, for Vitest, Jest or any runner.
 * See docs/testing.md.
 */
export {
  startTestServer,
  type ChannelInfo,
  type ChannelMember,
  type ConnectionInfo,
  type EventExpectation,
  type PublishedEvent,
  type PusherJsNodeOptions,
  type PusherJsOptions,
  type PusherServerOptions,
  type TestCredentials,
  type TestServer,
  type TestServerOptions,
  type WebhookExpectation,
} from './test-server.ts';
