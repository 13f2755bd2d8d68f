/**
 * The live console page: a form for an app's id, key and secret, and a table of what happens in
 * that app, newest first. The browser signs the feed request itself (WebCrypto HMAC), so the
 * secret never leaves the page; everything shown is set as text, never as HTML.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pushwire console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
  input { font: inherit; padding: .3rem; }
  #status { margin: .5rem 0; color: #555; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  td.details { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
</style>
</head>
<body>
<h1>Pushwire console</h1>
<form id="watch">
  <label>App id <input name="id" required value="1"></label>
  <label>Key <input name="key" required value="app-key"></label>
  <label>Secret <input name="secret" required type="password"></label>
  <button type="submit" disabled>Watch</button>
</form>
<div id="status">Not watching.</div>
<table>
  <thead><tr><th>Time</th><th>What</th><th>Channel</th><th>Details</th></tr></thead>
  <tbody id="entries"></tbody>
</table>
<script src="console.js"></script>
</body>
</html>
`;

export const CONSOLE_JS = `'use strict';
const MAX_ROWS = 500;
const form = document.getElementById('watch');
const status = document.getElementById('status');
const rows = document.getElementById('entries');
let source;
/** Bumped by every watch(): a sign-in that finishes after a newer one gives way to it. */
let generation = 0;

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function signedFeedUrl(id, key, secret) {
  const path = '/apps/' + encodeURIComponent(id) + '/console';
  const timestamp = String(Math.floor(Date.now() / 1000));
  // Signed over the decoded values, sorted by name, as every API request is.
  const query = 'auth_key=' + key + '&auth_timestamp=' + timestamp + '&auth_version=1.0';
  const bytes = new TextEncoder();
  const hmac = await crypto.subtle.importKey('raw', bytes.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = hex(await crypto.subtle.sign('HMAC', hmac, bytes.encode('GET\\n' + path + '\\n' + query)));
  const params = new URLSearchParams({ auth_key: key, auth_timestamp: timestamp, auth_version: '1.0', auth_signature: signature });
  return path + '?' + params;
}

/** An API message's data is a string; shown as the JSON it holds, not escaped a second time. */
function parsed(data) {
  if (typeof data !== 'string') return data;
  try { return JSON.parse(data); } catch { return data; }
}

function details(entry) {
  const rest = Object.assign({}, entry);
  delete rest.at; delete rest.name; delete rest.channel;
  if ('data' in rest) rest.data = parsed(rest.data);
  return Object.keys(rest).length ? JSON.stringify(rest) : '';
}

function show(entry) {
  const row = document.createElement('tr');
  for (const text of [entry.at.slice(11, 23), entry.name, entry.channel || '', details(entry)]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.appendChild(cell);
  }
  row.lastChild.className = 'details';
  row.dataset.name = entry.name;
  rows.prepend(row);
  while (rows.children.length > MAX_ROWS) rows.lastChild.remove();
}

async function watch(id, key, secret) {
  const mine = ++generation;
  if (source) source.close();
  source = undefined;
  if (!window.crypto || !crypto.subtle) {
    status.textContent = 'The console signs its requests with WebCrypto: open it over https or on localhost.';
    return;
  }
  const url = await signedFeedUrl(id, key, secret);
  if (mine !== generation) return;
  source = new EventSource(url);
  const current = source;
  current.onopen = () => { status.textContent = 'Watching app ' + id + '.'; };
  current.onmessage = (message) => show(JSON.parse(message.data));
  current.onerror = () => {
    if (current.readyState !== EventSource.CLOSED) { status.textContent = 'Reconnecting…'; return; }
    // Refused (a wrong secret) or a signature that has aged: sign again and retry.
    status.textContent = 'Not watching: the server refused the request (check the id, key and secret). Retrying…';
    setTimeout(() => { if (mine === generation) watch(id, key, secret); }, 3000);
  };
}

// Enabled only now: before this script ran, a submit would have put the secret in the URL.
form.querySelector('button').disabled = false;
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  watch(String(data.get('id')), String(data.get('key')), String(data.get('secret')));
});
`;
