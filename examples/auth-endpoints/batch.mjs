// batch.mjs: pusher-js-auth sends the subscriptions of one moment in one request. The SDK's
// channel handler answers such batches as they come: the server side needs nothing more.
import PusherBatchAuthorizer from 'pusher-js-auth';

export const batchOptions = (csrfToken, origin = '') => ({
  authorizer: PusherBatchAuthorizer, // legacy options: leave channelAuthorization out
  authEndpoint: `${origin}/pusher/auth`,
  authDelay: 50, // milliseconds to collect subscriptions
  auth: { headers: { 'X-CSRF-Token': csrfToken } },
});
