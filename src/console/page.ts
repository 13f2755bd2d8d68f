/**
 * The live console page: a form for an app's id, key and secret; a summary of the app (its
 * connections, channels and presence members); a form that sends a test event; and the tail of
 * what happens in the app, newest first, with a filter, a pause and a clear button. The browser
 * signs every request itself (WebCrypto HMAC, and MD5 for a body), so the secret never leaves the
 * page; everything shown is set as text, never as HTML. Plain CSS, no build step.
 */
export { CONSOLE_JS } from './page-script.ts';

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pushwire console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f4f6f8; }
  header { background: #1d232a; color: #fff; padding: .75rem 1.25rem; display: flex;
    flex-wrap: wrap; gap: .5rem 1.5rem; align-items: end; }
  h1 { font-size: 18px; margin: 0 0 .2rem; }
  h2 { font-size: 14px; margin: 0 0 .5rem; text-transform: uppercase; letter-spacing: .04em;
    color: #4a5561; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: 0; }
  label { display: flex; flex-direction: column; font-size: 12px; gap: .15rem; }
  header label { color: #c9d1d9; }
  input, textarea, button { font: inherit; padding: .3rem .45rem; border: 1px solid #b7c0c9;
    border-radius: 4px; background: #fff; color: #1d232a; }
  .field { display: flex; flex-direction: column; gap: .15rem; }
  textarea { font-family: ui-monospace, monospace; font-size: 12px; resize: vertical; }
  button { cursor: pointer; background: #e9edf1; }
  button[type=submit], #send button { background: #2463eb; border-color: #2463eb; color: #fff; }
  button[aria-pressed=true] { background: #f5b800; border-color: #d29d00; }
  button:disabled { opacity: .6; cursor: default; }
  header input { width: 9rem; }
  #status { flex: 1 1 20rem; font-size: 13px; color: #c9d1d9; margin-bottom: .3rem; }
  #status[data-state=error] { color: #ffb4a9; }
  #status[data-state=live] { color: #8fe0a0; }
  main { display: grid; grid-template-columns: minmax(300px, 380px) minmax(0, 1fr); gap: 1rem;
    padding: 1rem 1.25rem; align-items: start; }
  .side { display: grid; gap: 1rem; }
  section { background: #fff; border: 1px solid #dde3e9; border-radius: 6px; padding: .75rem; }
  .figures { display: flex; gap: 1.5rem; margin-bottom: .5rem; }
  .figure strong { display: block; font-size: 22px; }
  .figure span { font-size: 12px; color: #4a5561; }
  .muted { color: #5d6873; font-size: 12px; }
  ul.channels { list-style: none; padding: 0; margin: 0; max-height: 22rem; overflow: auto; }
  ul.channels > li { padding: .35rem 0; border-top: 1px solid #eef1f4; }
  .channel-name { font-family: ui-monospace, monospace; word-break: break-all; }
  .count { float: right; font-size: 12px; color: #4a5561; margin-left: .5rem; }
  .members { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .25rem; }
  .members button { font-size: 12px; padding: .05rem .4rem; border-radius: 10px; }
  pre.user-info { margin: .3rem 0 0; padding: .4rem; background: #f4f6f8; font-size: 12px;
    white-space: pre-wrap; word-break: break-all; }
  h3 { font-size: 13px; margin: .75rem 0 .35rem; display: flex; justify-content: space-between;
    align-items: center; }
  h3 button { font-size: 12px; padding: .1rem .45rem; }
  ul.attempts { list-style: none; padding: 0; margin: 0; max-height: 16rem; overflow: auto; }
  ul.attempts > li { padding: .3rem 0; border-top: 1px solid #eef1f4; font-size: 12px; }
  .badge { display: inline-block; min-width: 2.6rem; text-align: center; border-radius: 3px;
    padding: 0 .3rem; margin-right: .35rem; font-weight: 600; background: #dcf5e3; color: #176930; }
  .badge.failed { background: #fde4e1; color: #b42318; }
  .target { font-family: ui-monospace, monospace; word-break: break-all; color: #4a5561; }
  ul.attempts li button { float: right; margin-left: .5rem; }
  #send { flex-direction: column; align-items: stretch; }
  #send-result { font-size: 12px; min-height: 1.2em; }
  .controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .5rem; }
  .controls label { flex: 1 1 12rem; }
  #tail-note { font-size: 12px; color: #8a5a00; min-height: 1.2em; margin-bottom: .25rem; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid #eef1f4;
    vertical-align: top; overflow-wrap: anywhere; }
  th { font-size: 12px; color: #4a5561; }
  col.time { width: 6.5rem; } col.what { width: 8.5rem; } col.channel { width: 16%; }
  col.socket { width: 10.5rem; }
  td.time, td.socket, td.details { font-family: ui-monospace, monospace; font-size: 12px; }
  tr.note td { color: #8a5a00; font-style: italic; }
  tr[data-name=refused] td:nth-child(2), tr[data-name=disconnected] td:nth-child(2) { color: #b42318; }
  tr[data-name=api_message] td:nth-child(2) { color: #2463eb; }
  @media (max-width: 900px) {
    main { grid-template-columns: minmax(0, 1fr); padding: .75rem; }
    /* On a phone the tail comes right after the summary; the test-event form goes last. */
    .side { display: contents; }
    #webhooks-panel, #send-panel { order: 1; }
    header { padding: .75rem; }
    header input { width: 100%; }
    header label { flex: 1 1 40%; }
    table, tbody, tr, td { display: block; }
    thead, colgroup { display: none; }
    tr { padding: .35rem 0; border-bottom: 1px solid #eef1f4; display: grid;
      grid-template-columns: auto auto 1fr; gap: 0 .5rem; }
    td { border: 0; padding: 0; }
    td.channel { grid-column: 3; font-family: ui-monospace, monospace; font-size: 12px; }
    td.socket, td.details { grid-column: 1 / -1; }
    td.socket:empty { display: none; }
  }
</style>
</head>
<body>
<header>
  <div><h1>Pushwire console</h1>
  <div id="status" role="status" data-state="idle">Not watching.</div></div>
  <form id="watch">
    <label>App id <input name="id" required value="1" autocomplete="off"></label>
    <label>Key <input name="key" required value="app-key" autocomplete="off"></label>
    <label>Secret <input name="secret" required type="password" autocomplete="off"></label>
    <button type="submit" disabled>Watch</button>
  </form>
</header>
<main>
<div class="side">
  <section aria-labelledby="summary-title">
    <h2 id="summary-title">Summary</h2>
    <div class="figures">
      <div class="figure"><strong id="connections">–</strong><span>connections</span></div>
      <div class="figure"><strong id="channel-count">–</strong><span>occupied channels</span></div>
    </div>
    <ul class="channels" id="channels" aria-label="Occupied channels"></ul>
    <div class="muted" id="summary-note">Counts for the whole cluster, every 2 s while you watch.</div>
  </section>
  <section aria-labelledby="webhooks-title" id="webhooks-panel">
    <h2 id="webhooks-title">Webhooks</h2>
    <ul class="attempts" id="attempts" aria-label="Delivery attempts"></ul>
    <div class="muted" id="attempts-note">Delivery attempts show here as they happen.</div>
    <h3>Dead letters <button type="button" id="refresh-dead">Refresh</button></h3>
    <ul class="attempts" id="dead-letters" aria-label="Dead letters"></ul>
    <div class="muted" id="dead-note" role="status"></div>
  </section>
  <section aria-labelledby="send-title" id="send-panel">
    <h2 id="send-title">Send a test event</h2>
    <form id="send">
      <label>Channel <input name="channel" required value="my-channel" autocomplete="off"></label>
      <label>Event <input name="event" required value="my-event" autocomplete="off"></label>
      <div class="field"><label for="send-data">Data</label>
        <textarea id="send-data" name="data" rows="3">{"message":"hello"}</textarea></div>
      <button type="submit" disabled>Send event</button>
      <div id="send-result" role="status"></div>
    </form>
  </section>
</div>
<section aria-labelledby="tail-title">
  <h2 id="tail-title">Events</h2>
  <div class="controls">
    <label>Filter <input id="filter" type="search" placeholder="channel, event or socket id" autocomplete="off"></label>
    <button type="button" id="pause" aria-pressed="false">Pause</button>
    <button type="button" id="clear">Clear</button>
  </div>
  <div id="tail-note" role="status"></div>
  <div class="table-wrap">
  <table>
    <colgroup><col class="time"><col class="what"><col class="channel"><col class="socket"><col></colgroup>
    <thead><tr><th>Time</th><th>What</th><th>Channel</th><th>Socket</th><th>Details</th></tr></thead>
    <tbody id="entries"></tbody>
  </table>
  </div>
</section>
</main>
<script src="console.js"></script>
</body>
</html>
`;
