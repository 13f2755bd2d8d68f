/* global Pusher, document */
// The page on the other port: subscribes through the jsonp transport with a ticket param, since
// a script request can carry neither custom headers nor (trusted) cookies.
'use strict';

const config = JSON.parse(document.getElementById('config').textContent);

const pusher = new Pusher(config.key, {
  cluster: 'local',
  wsHost: config.wsHost,
  wsPort: config.wsPort,
  forceTLS: false,
  enabledTransports: ['ws'],
  channelAuthorization: {
    endpoint: config.authEndpoint,
    transport: 'jsonp',
    params: { ticket: config.ticket },
  },
});

function watch(channelName, elementId) {
  const element = document.getElementById(elementId);
  const channel = pusher.subscribe(channelName);
  channel.bind('pusher:subscription_succeeded', () => {
    element.textContent = 'subscribed';
    element.className = 'ok';
  });
  // Never fires for jsonp: a refused script just fails to load (see README).
  channel.bind('pusher:subscription_error', () => {
    element.textContent = 'refused';
    element.className = 'refused';
  });
}

watch('private-jsonp-demo', 'allowed');
watch('private-jsonp-forbidden', 'denied');
