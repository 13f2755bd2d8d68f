/** The example's HTML. Values reach pages HTML-escaped, or as JSON in a non-executed script tag. */
import { DEMO_USERS } from './sessions.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** JSON that is safe inside `<script type="application/json">`: no `<` can close the tag. */
const configJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; }
  .row { display: flex; gap: 2rem; } .grow { flex: 1; }
  #status.refused, .refused { color: #b00020; } .ok { color: #137333; }
  ol#messages { min-height: 8rem; border: 1px solid #ccc; padding: .5rem 2rem; }
</style>
</head>
<body>
${body}
</body>
</html>
`;

export function loginPage(error?: string): string {
  const users = DEMO_USERS.map((u) => `<code>${u.id}</code> / <code>${u.password}</code>`).join(
    ' or ',
  );
  return layout(
    'Pushwire chat: sign in',
    `<h1>Pushwire chat</h1>
<form method="post" action="/login">
  <p><label>User <input name="user" id="user" autocomplete="username"></label></p>
  <p><label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label></p>
  <p><button type="submit" id="login">Sign in</button></p>
</form>
${error ? `<p class="refused" id="login-error">${escapeHtml(error)}</p>` : ''}
<p>Demo users: ${users}. Or <a href="/chat">open the chat without signing in</a> to see a refused subscription.</p>`,
  );
}

export interface ChatPageConfig {
  key: string;
  wsHost: string;
  wsPort: number;
  csrfToken: string | null;
  user: { id: string; name: string } | null;
}

export function chatPage(config: ChatPageConfig): string {
  const who = config.user
    ? `Signed in as <strong>${escapeHtml(config.user.name)}</strong>.
       <form method="post" action="/logout" style="display:inline"><button>Sign out</button></form>`
    : 'Not signed in: <a href="/">sign in</a>.';
  return layout(
    'Pushwire chat',
    `<h1>Pushwire chat</h1>
<p>${who}</p>
<p id="status">Connecting…</p>
<div class="row">
  <section class="grow">
    <h2>Messages</h2>
    <ol id="messages"></ol>
    <form id="send">
      <input id="text" autocomplete="off" placeholder="Say something" maxlength="500" required>
      <button type="submit" id="send-server">Send</button>
      <button type="button" id="send-client">Send as client event</button>
    </form>
  </section>
  <section>
    <h2>Online</h2>
    <ul id="online"></ul>
  </section>
</div>
<script type="application/json" id="config">${configJson(config)}</script>
<script src="/vendor/pusher.min.js"></script>
<script src="/static/chat.js"></script>`,
  );
}

export interface JsonpPageConfig {
  key: string;
  wsHost: string;
  wsPort: number;
  authEndpoint: string;
  ticket: string;
}

export function jsonpPage(config: JsonpPageConfig, pusherScriptUrl: string): string {
  return layout(
    'Pushwire: JSONP auth from another origin',
    `<h1>JSONP auth from another origin</h1>
<p>This page authorizes its subscriptions with pusher-js's <code>jsonp</code> transport against
<code>${escapeHtml(config.authEndpoint)}</code>.</p>
<ul>
  <li><code>private-jsonp-demo</code>: <span id="allowed">waiting</span></li>
  <li><code>private-jsonp-forbidden</code>: <span id="denied">waiting</span>
    (refused with 403: JSONP has no error path, so this never completes)</li>
</ul>
<script type="application/json" id="config">${configJson(config)}</script>
<script src="${escapeHtml(pusherScriptUrl)}"></script>
<script src="/static/jsonp.js"></script>`,
  );
}
