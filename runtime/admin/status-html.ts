/**
 * The status page as a page to keep open (`?html`): the pool's figures at a glance, one row per
 * live request with its state, and every field below. It renders the snapshot embedded in it at
 * once, then fetches `?json&full` every 2 s and redraws in place; data only ever reaches the
 * DOM as text. Without JavaScript it shows PHP-FPM's text format and reloads every 5 s.
 * Self-contained: no external assets.
 * @module
 */
import type { PoolSnapshot } from './snapshot.ts';
import { htmlspecialchars } from '../php/html-escape.ts';
import { renderJson, renderText, unixNow } from './status-formats.ts';

/** The figures at the top: JSON key, caption, and whether a value above 0 deserves attention. */
const FIGURES: readonly [key: string, caption: string, alert: boolean][] = [
  ['active processes', 'running', false],
  ['listen queue', 'queue', true],
  ['background tails', 'tails', false],
  ['session locks held', 'locks held', false],
  ['session lock waiters', 'lock waiters', true],
  ['slow requests', 'slow', true],
  ['max children reached', 'max children reached', true],
  ['accepted conn', 'accepted', false],
  ['start since', 'uptime', false],
];

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
header{display:flex;gap:1em;align-items:baseline;flex-wrap:wrap}h1{font-size:1.3em;margin:0}
#updated{color:#666}#updated.stale{color:#b00020;font-weight:600}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(9em,1fr));gap:.6em;margin:1em 0}
.figure{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5em .7em}
.figure b{display:block;font-size:1.6em;font-variant-numeric:tabular-nums}.figure span{color:#666;font-size:.85em}
.figure.hot{border-color:#d97706;background:#fff7ed}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}td.uri{word-break:break-all}
.state{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.9em;white-space:nowrap}
tr[data-state="Running"] .state{background:#dbeafe;color:#1e40af}
tr[data-state="Waiting for session lock"] .state{background:#fef3c7;color:#92400e}
tr[data-state="Finishing"] .state{background:#e5e7eb;color:#374151}
#empty{color:#666}details{margin-top:1.5em}#fields{width:auto}`;

/** Runs in the browser: draws a snapshot (JSON of `?json&full`) and keeps polling. */
const SCRIPT = `
const $ = (id) => document.getElementById(id);
const cell = (tr, text, cls) => { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; };
const uptime = (s) => { const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return d ? d + 'd ' + h + 'h' : h ? h + 'h ' + m + 'm' : m ? m + 'm ' + (s % 60) + 's' : s + 's'; };
function render(s) {
  document.title = 'tsfpm status: pool ' + s.pool;
  $('pool').textContent = s.pool + ' (' + s['process manager'] + ', ' + s.workers + ' worker' + (s.workers === 1 ? '' : 's') + ')';
  for (const el of document.querySelectorAll('[data-key]')) {
    const v = s[el.dataset.key];
    el.querySelector('b').textContent = el.dataset.key === 'start since' ? uptime(v) : v;
    el.classList.toggle('hot', el.dataset.alert === '1' && v > 0);
  }
  const body = $('requests').tBodies[0];
  body.replaceChildren();
  for (const p of s.processes || []) {
    const tr = body.insertRow();
    tr.dataset.state = p.state;
    const state = document.createElement('span'); state.className = 'state'; state.textContent = p.state;
    tr.insertCell().append(state);
    cell(tr, p['request method']); cell(tr, p['request uri'], 'uri'); cell(tr, p.script, 'uri');
    cell(tr, (p['request duration'] / 1e6).toFixed(1) + ' s', 'num');
    cell(tr, p['session lock'] === '-' ? '' : p['session lock']); cell(tr, p.pid, 'num');
  }
  $('empty').hidden = body.rows.length > 0;
  const fields = $('fields').tBodies[0];
  fields.replaceChildren();
  for (const [k, v] of Object.entries(s)) {
    if (k === 'processes') continue;
    const tr = fields.insertRow(); const th = document.createElement('th'); th.textContent = k; tr.append(th);
    cell(tr, k === 'start time' ? new Date(v * 1000).toLocaleString() : v);
  }
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  $('updated').classList.remove('stale');
}
async function poll() {
  if (!document.hidden) {
    try {
      const res = await fetch(location.pathname + '?json&full', { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      render(await res.json());
    } catch (err) {
      $('updated').textContent = 'update failed at ' + new Date().toLocaleTimeString() + ' (' + err.message + '), retrying';
      $('updated').classList.add('stale');
    }
  }
  setTimeout(poll, 2000);
}
render(JSON.parse($('snapshot').textContent));
setTimeout(poll, 2000);`;

export function renderStatusHtml(s: PoolSnapshot, now = unixNow()): string {
  const figures = FIGURES.map(([key, caption, alert]) => `<div class="figure" data-key="${htmlspecialchars(key)}" data-alert="${alert ? 1 : 0}"><b></b><span>${htmlspecialchars(caption)}</span></div>`).join('');
  // "<" only occurs inside JSON strings, where \u003c reads back the same and cannot close the script
  const snapshot = renderJson(s, true, now).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>tsfpm status: pool ${htmlspecialchars(s.pool)}</title>
<noscript><meta http-equiv="refresh" content="5"></noscript>
<style>${STYLE}</style></head>
<body>
<header><h1>pool <span id="pool">${htmlspecialchars(s.pool)}</span></h1><span id="updated"></span></header>
<div class="figures">${figures}</div>
<table id="requests"><thead><tr><th>state</th><th>method</th><th>URI</th><th>script</th><th>elapsed</th><th>session lock</th><th>pid</th></tr></thead><tbody></tbody></table>
<p id="empty" hidden>No live requests.</p>
<details><summary>All fields</summary><table id="fields"><tbody></tbody></table></details>
<noscript><pre>${htmlspecialchars(renderText(s, true, now))}</pre></noscript>
<script type="application/json" id="snapshot">${snapshot}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
