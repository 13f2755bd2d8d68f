/**
 * The console page's script (served as /console.js, the only script the CSP allows). It signs
 * each request as the HTTP API expects, reads the feed as server-sent events over fetch (so a
 * refusal's status and reason can be shown), and renders only with textContent.
 *
 * Bounded on every side: the tail keeps MAX_ROWS rows and renders once per animation frame, a
 * paused tail holds MAX_WAITING entries and counts the rest, and retries back off.
 */
import { MD5_JS } from './page-md5.ts';

export const CONSOLE_JS = `'use strict';
${MD5_JS}
const MAX_ROWS = 500;
const MAX_WAITING = 2000;
const MAX_DETAILS = 2000;
/** Retry delays (seconds): a refusal (wrong id, key or secret) waits longer than a lost feed. */
const REFUSED_RETRY = { first: 2, max: 300 };
const LOST_RETRY = { first: 1, max: 30 };
const LABELS = {
  api_message: 'API message', client_event: 'client event', channel_occupied: 'occupied',
  channel_vacated: 'vacated', member_added: 'member added', member_removed: 'member removed',
  subscription_count: 'count', cache_miss: 'cache miss',
};
const CLOSE_CODES = {
  1000: 'closed normally', 1001: 'going away', 1005: 'no code', 1006: 'dropped',
  4009: 'unauthorized', 4100: 'over capacity', 4200: 'reconnect now', 4201: 'pong timeout',
};

const $ = (id) => document.getElementById(id);
const watchForm = $('watch');
const sendForm = $('send');
const status = $('status');
const rows = $('entries');
const filterInput = $('filter');
const pauseButton = $('pause');
const tailNote = $('tail-note');

/** The app being watched: { id, key, secret }; the secret stays in this variable. */
let app;
/** Bumped by every watch(): a feed or retry of an older one gives way to the newer. */
let generation = 0;
let feed;
let retryTimer;
let lastSummary;
/** Open user_info panels: "channel\\nuser" → text. */
const userInfo = new Map();
let paused = false;
let waiting = [];
let missed = 0;
let queued = [];
let frame = 0;
let capped;
const MAX_ATTEMPTS = 50;

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const appPath = (rest) => '/apps/' + encodeURIComponent(app.id) + '/' + rest;

/** A path and query signed like every API request: over the decoded values, sorted by name. */
async function signed(method, path, params, body) {
  const all = Object.assign({
    auth_key: app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
  }, params);
  if (body !== undefined) all.body_md5 = md5Hex(body);
  const canonical = Object.keys(all).sort().map((name) => name + '=' + all[name]).join('&');
  const bytes = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', bytes.encode(app.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  all.auth_signature = hex(await crypto.subtle.sign('HMAC', key, bytes.encode(method + '\\n' + path + '\\n' + canonical)));
  return path + '?' + new URLSearchParams(all);
}

async function errorText(response) {
  const text = await response.text().catch(() => '');
  try { return String(JSON.parse(text).error).slice(0, 300); } catch { return text.slice(0, 300) || response.statusText; }
}

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

// ---- the feed ------------------------------------------------------------------------------

async function watch(credentials) {
  const mine = ++generation;
  clearTimeout(retryTimer);
  if (feed) feed.abort();
  if (!app || app.id !== credentials.id) resetView();
  app = credentials;
  if (!window.crypto || !crypto.subtle) {
    setStatus('error', 'The console signs its requests with WebCrypto: open it over https or on localhost.');
    return;
  }
  connect(mine, 0);
}

async function connect(mine, attempt) {
  const abort = new AbortController();
  feed = abort;
  let response;
  try {
    response = await fetch(await signed('GET', appPath('console'), {}), { signal: abort.signal, cache: 'no-store' });
  } catch {
    return retry(mine, attempt, LOST_RETRY, 'Not watching: the server cannot be reached.');
  }
  if (mine !== generation) return abort.abort();
  if (!response.ok) {
    sendForm.querySelector('button').disabled = true;
    const why = await errorText(response);
    return retry(mine, attempt, REFUSED_RETRY, 'Not watching: the server refused the app id, key or secret (' + why + ').');
  }
  setStatus('live', 'Watching app ' + app.id + '.');
  sendForm.querySelector('button').disabled = false;
  loadDeadLetters();
  try {
    await read(response.body, mine);
  } catch {
    // Aborted by a newer watch, or the connection dropped: both are handled below.
  }
  if (mine !== generation) return;
  retry(mine, 0, LOST_RETRY, 'The feed ended (a restart, or the app changed).');
}

function retry(mine, attempt, delays, message) {
  if (mine !== generation) return;
  const seconds = Math.min(delays.max, delays.first * 2 ** attempt);
  setStatus('error', message + ' Trying again in ' + seconds + ' s.');
  retryTimer = setTimeout(() => { if (mine === generation) connect(mine, attempt + 1); }, seconds * 1000);
}

async function read(body, mine) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done || mine !== generation) return;
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\\n\\n')) !== -1) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!block.startsWith('data: ')) continue;
      let entry;
      try { entry = JSON.parse(block.slice(6)); } catch { continue; }
      receive(entry);
    }
  }
}

function receive(entry) {
  if (entry.name === 'summary') return showSummary(entry);
  if (entry.name === 'capped') {
    capped = { count: entry.count, limit: entry.limit, until: Date.now() + 5000 };
    updateNote();
    return;
  }
  if (entry.name === 'webhook') {
    showAttempt(entry);
    if (entry.outcome === 'dead-lettered') loadDeadLetters();
  }
  if (entry.name === 'dropped') return add({ note: entry.count + ' events dropped: the page fell behind the feed.' });
  add(entry);
}

// ---- the summary ---------------------------------------------------------------------------

function resetView() {
  lastSummary = undefined;
  userInfo.clear();
  $('connections').textContent = '–';
  $('channel-count').textContent = '–';
  $('channels').replaceChildren();
  $('attempts').replaceChildren();
  $('dead-letters').replaceChildren();
  $('dead-note').textContent = '';
  clearTail();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showSummary(summary) {
  lastSummary = summary;
  $('connections').textContent = String(summary.connections);
  $('channel-count').textContent = String(summary.channelCount);
  const items = summary.channels.map((channel) => {
    const item = element('li');
    item.dataset.channel = channel.channel;
    const counts = channel.subscriptionCount + (channel.subscriptionCount === 1 ? ' subscriber' : ' subscribers') +
      (channel.userCount === undefined ? '' : ' · ' + channel.userCount + (channel.userCount === 1 ? ' member' : ' members'));
    item.append(element('span', 'count', counts), element('span', 'channel-name', channel.channel));
    if (channel.members) item.append(roster(channel));
    return item;
  });
  $('channels').replaceChildren(...items);
  const hidden = summary.channelCount - summary.channels.length;
  $('summary-note').textContent = (hidden > 0 ? 'The ' + summary.channels.length + ' busiest channels; ' + hidden + ' more not listed. ' : '') +
    'Counts for the whole cluster, every 2 s while you watch.';
}

function roster(channel) {
  const box = element('div', 'members');
  const infos = [];
  for (const userId of channel.members) {
    const key = channel.channel + '\\n' + userId;
    const button = element('button', '', userId);
    button.type = 'button';
    button.title = 'Show user_info';
    button.setAttribute('aria-expanded', String(userInfo.has(key)));
    button.addEventListener('click', () => toggleUserInfo(channel.channel, userId));
    box.append(button);
    if (userInfo.has(key)) infos.push(element('pre', 'user-info', userId + ': ' + userInfo.get(key)));
  }
  const more = (channel.userCount || 0) - channel.members.length;
  if (more > 0) box.append(element('span', 'muted', '+' + more + ' more'));
  const wrap = element('div');
  wrap.append(box, ...infos);
  return wrap;
}

async function toggleUserInfo(channel, userId) {
  const key = channel + '\\n' + userId;
  if (userInfo.has(key)) {
    userInfo.delete(key);
  } else {
    const response = await fetch(await signed('GET', appPath('console/member'), { channel, user_id: userId }));
    const text = response.ok
      ? JSON.stringify((await response.json()).user_info, null, 2)
      : '(' + (await errorText(response)) + ')';
    userInfo.set(key, text);
  }
  if (lastSummary) showSummary(lastSummary);
}

// ---- webhooks ------------------------------------------------------------------------------

const webhookLine = (entry) => (entry.retry ? 'retry ' + entry.retry + ' · ' : 'first try · ') + entry.latencyMs + ' ms · ' + entry.outcome;

function showAttempt(entry) {
  const item = element('li');
  item.dataset.outcome = entry.outcome;
  const failed = entry.outcome !== 'delivered';
  const badge = element('span', failed ? 'badge failed' : 'badge', entry.status === undefined ? 'error' : String(entry.status));
  item.append(badge, element('span', '', webhookLine(entry)), element('div', 'target', entry.url),
    element('div', '', entry.events.join(', ') + (entry.error ? ' — ' + entry.error : '')));
  const list = $('attempts');
  list.prepend(item);
  while (list.children.length > MAX_ATTEMPTS) list.lastChild.remove();
  $('attempts-note').textContent = 'The last ' + MAX_ATTEMPTS + ' attempts while you watch, newest first.';
}

let deadLetters = 0;
async function loadDeadLetters() {
  if (!app) return;
  const mine = ++deadLetters;
  const note = $('dead-note');
  let response;
  try {
    response = await fetch(await signed('GET', appPath('webhooks/dead_letters'), {}));
  } catch {
    note.textContent = 'Dead letters not loaded: the server cannot be reached.';
    return;
  }
  if (mine !== deadLetters) return;
  if (!response.ok) {
    note.textContent = 'Dead letters not loaded: ' + (await errorText(response));
    return;
  }
  const letters = (await response.json()).dead_letters;
  if (mine !== deadLetters) return;
  $('dead-letters').replaceChildren(...letters.map(deadLetter));
  note.textContent = letters.length ? '' : 'None: every webhook was delivered, or is still being retried.';
}

function deadLetter(letter) {
  const item = element('li');
  item.dataset.id = letter.id;
  const button = element('button', '', 'Redeliver');
  button.type = 'button';
  button.addEventListener('click', () => redeliver(letter.id, button));
  const when = new Date(letter.failed_at_ms).toISOString().slice(11, 19);
  item.append(button, element('span', 'badge failed', String(letter.attempts)),
    element('span', '', 'attempts, last at ' + when + ': ' + letter.last_error),
    element('div', 'target', letter.url),
    element('div', '', letter.events.map((event) => event.name).join(', ')));
  return item;
}

async function redeliver(id, button) {
  button.disabled = true;
  const note = $('dead-note');
  try {
    const path = appPath('webhooks/dead_letters/' + encodeURIComponent(id) + '/redeliver');
    const response = await fetch(await signed('POST', path, {}), { method: 'POST' });
    note.textContent = response.ok ? 'Queued again: watch the attempts above.' : 'Not redelivered: ' + (await errorText(response));
  } catch {
    note.textContent = 'Not redelivered: the server cannot be reached.';
  }
  loadDeadLetters();
}

$('refresh-dead').addEventListener('click', loadDeadLetters);

// ---- the tail ------------------------------------------------------------------------------

/** An API message's data is a string; shown as the JSON it holds, not escaped a second time. */
function parsed(data) {
  if (typeof data !== 'string') return data;
  try { return JSON.parse(data); } catch { return data; }
}

function details(entry) {
  switch (entry.name) {
    case 'api_message':
    case 'client_event': {
      const data = parsed(entry.data);
      return entry.event + '  ' + (typeof data === 'string' ? data : JSON.stringify(data));
    }
    case 'disconnected':
      return entry.code === undefined ? '' : 'code ' + entry.code + (CLOSE_CODES[entry.code] ? ' (' + CLOSE_CODES[entry.code] + ')' : '');
    case 'refused':
      return (entry.code === null ? '' : entry.code + ': ') + entry.reason;
    case 'subscribed':
      return entry.userId === undefined ? '' : 'as ' + entry.userId;
    case 'member_added':
    case 'member_removed':
      return 'user ' + entry.userId;
    case 'subscription_count':
      return entry.subscriptionCount + ' subscribers';
    case 'webhook':
      return (entry.status === undefined ? entry.error : entry.status) + ' · ' + webhookLine(entry) + ' · ' + entry.events.join(', ') + ' → ' + entry.url;
  }
  const rest = Object.assign({}, entry);
  for (const field of ['at', 'name', 'channel', 'socketId']) delete rest[field];
  return Object.keys(rest).length ? JSON.stringify(rest) : '';
}

function rowFor(entry) {
  const row = element('tr');
  if (entry.note) {
    row.className = 'note';
    const cell = element('td', '', entry.note);
    cell.colSpan = 5;
    row.append(cell);
    return row;
  }
  row.dataset.name = entry.name;
  const searched = [entry.channel, entry.event, entry.socketId].concat(entry.events || []);
  row.dataset.search = searched.filter(Boolean).join('\\n').toLowerCase();
  const time = typeof entry.at === 'string' ? entry.at.slice(11, 23) : '';
  row.append(
    element('td', 'time', time),
    element('td', 'what', LABELS[entry.name] || entry.name),
    element('td', 'channel', entry.channel || ''),
    element('td', 'socket', entry.socketId || ''),
    element('td', 'details', details(entry).slice(0, MAX_DETAILS)),
  );
  row.hidden = !matches(row);
  return row;
}

function matches(row) {
  const filter = filterInput.value.trim().toLowerCase();
  return filter === '' || row.dataset.search === undefined || row.dataset.search.includes(filter);
}

function add(entry) {
  if (paused) {
    if (waiting.length < MAX_WAITING) waiting.push(entry);
    else missed++;
    updateNote();
    return;
  }
  queued.push(entry);
  // Only the newest MAX_ROWS can be shown: older ones are let go before they are built.
  if (queued.length > MAX_ROWS) queued.shift();
  if (!frame) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  const batch = document.createDocumentFragment();
  for (const entry of queued) batch.prepend(rowFor(entry));
  queued = [];
  rows.prepend(batch);
  while (rows.children.length > MAX_ROWS) rows.lastChild.remove();
  updateNote();
}

function updateNote() {
  const parts = [];
  if (paused) parts.push('Paused: ' + waiting.length + ' new ' + (waiting.length === 1 ? 'event' : 'events') + ' waiting' + (missed ? ', ' + missed + ' dropped' : '') + '.');
  if (capped && capped.until > Date.now()) parts.push('Busy app: the server sends at most ' + capped.limit + ' events a second, and skipped ' + capped.count + ' in the last second.');
  else capped = undefined;
  tailNote.textContent = parts.join(' ');
}

function clearTail() {
  rows.replaceChildren();
  queued = [];
  waiting = [];
  missed = 0;
  updateNote();
}

pauseButton.addEventListener('click', () => {
  paused = !paused;
  pauseButton.setAttribute('aria-pressed', String(paused));
  if (!paused) {
    const held = waiting;
    const lost = missed;
    waiting = [];
    missed = 0;
    if (lost) add({ note: lost + ' events were dropped while paused (only the first ' + MAX_WAITING + ' are kept).' });
    for (const entry of held) add(entry);
  }
  updateNote();
});

$('clear').addEventListener('click', clearTail);

filterInput.addEventListener('input', () => {
  for (const row of rows.children) row.hidden = !matches(row);
});

// ---- the test-event form -------------------------------------------------------------------

sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!app) return;
  const data = new FormData(sendForm);
  const channel = String(data.get('channel'));
  const name = String(data.get('event'));
  const body = JSON.stringify({ name, channels: [channel], data: String(data.get('data')) });
  const result = $('send-result');
  try {
    const response = await fetch(await signed('POST', appPath('events'), {}, body), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    result.textContent = response.ok ? 'Sent ' + name + ' to ' + channel + '.' : 'Not sent: ' + (await errorText(response));
  } catch {
    result.textContent = 'Not sent: the server cannot be reached.';
  }
});

// Enabled only now: before this script ran, a submit would have put the secret in the URL.
watchForm.querySelector('button').disabled = false;
watchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(watchForm);
  watch({ id: String(data.get('id')), key: String(data.get('key')), secret: String(data.get('secret')) });
});
`;
