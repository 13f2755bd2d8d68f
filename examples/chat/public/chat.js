/* global Pusher, document, fetch */
// The chat page: joins presence-chat, lists who is online, shows messages, and sends them either
// through the app's backend (which publishes with the SDK) or as client events.
'use strict';

const config = JSON.parse(document.getElementById('config').textContent);
const status = document.getElementById('status');
const online = document.getElementById('online');
const messages = document.getElementById('messages');
const input = document.getElementById('text');

const pusher = new Pusher(config.key, {
  cluster: 'local',
  wsHost: config.wsHost,
  wsPort: config.wsPort,
  forceTLS: false,
  enabledTransports: ['ws'],
  channelAuthorization: {
    endpoint: '/pusher/auth',
    transport: 'ajax',
    // The auth endpoint checks this header against the session: a cross-site post cannot send it.
    headers: { 'X-CSRF-Token': config.csrfToken || '' },
  },
});

const channel = pusher.subscribe('presence-chat');

function setStatus(text, refused) {
  status.textContent = text;
  status.className = refused ? 'refused' : 'ok';
}

function renderMembers() {
  online.replaceChildren();
  channel.members.each((member) => {
    const item = document.createElement('li');
    item.dataset.userId = member.id;
    item.textContent = member.info && member.info.name ? member.info.name : member.id;
    online.append(item);
  });
}

function addMessage(from, text, via) {
  const item = document.createElement('li');
  item.dataset.via = via;
  item.textContent = `${from}: ${text}`;
  if (via === 'client') item.textContent += ' (client event)';
  messages.append(item);
}

channel.bind('pusher:subscription_succeeded', () => {
  setStatus(`Joined presence-chat as ${channel.members.me.info.name}`, false);
  renderMembers();
});
channel.bind('pusher:subscription_error', (error) => {
  setStatus(`Subscription to presence-chat refused (HTTP ${error.status})`, true);
});
channel.bind('pusher:member_added', renderMembers);
channel.bind('pusher:member_removed', renderMembers);
channel.bind('message', (message) => addMessage(message.from, message.text, 'server'));
channel.bind('client-message', (message, metadata) => {
  const member = channel.members.get(metadata.user_id);
  addMessage(member ? member.info.name : metadata.user_id, message.text, 'client');
});

document.getElementById('send').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  const response = await fetch('/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': config.csrfToken || '' },
    body: JSON.stringify({ text }),
  });
  if (response.ok) input.value = '';
  else setStatus(`Sending failed (HTTP ${response.status})`, true);
});

document.getElementById('send-client').addEventListener('click', () => {
  const text = input.value.trim();
  if (!text || !channel.subscribed) return;
  // Client events go straight to the other members; the sender never gets its own back.
  channel.trigger('client-message', { text });
  addMessage(channel.members.me.info.name, text, 'client');
  input.value = '';
});
