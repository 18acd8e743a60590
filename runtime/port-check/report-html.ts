/**
 * `--html FILE`: the report as a page a person opens in a browser: per request both answers side by side (status
 * line, headers, body), the differing fields marked, the body diff, and the masks. One self-contained file.
 * @module
 */
import { htmlspecialchars as h } from '../php/html-escape.ts';
import type { Answer } from './compare-exchange.ts';
import type { Report, RequestResult } from './report.ts';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem}h1{font-size:1.3rem}
.same>summary{color:#176c2e}.different>summary{color:#b3261e;font-weight:600}.slow{color:#8a5a00}
details{border:1px solid #ccc;border-radius:6px;margin:.5rem 0;padding:.3rem .6rem}
table.sides{width:100%;table-layout:fixed;border-collapse:collapse}table.sides td,table.sides th{vertical-align:top;border:1px solid #ddd;padding:.3rem}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font:12px/1.35 ui-monospace,monospace}
ul.fields li{margin:.2rem 0}code{background:#f3f3f3;padding:0 .2rem}.add{color:#176c2e}.del{color:#b3261e}`;

export function htmlReport(report: Report): string {
  const differing = report.requests.filter((r) => r.differences.length).length;
  const masks = report.masks.map((m) => `<li>${h(m.label)}${m.kind === 'session-id' ? `: php <code>${h(m.php!)}</code> ↔ ts <code>${h(m.ts!)}</code>` : ''} (${m.count} replaced)</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>port-check: ${report.same ? 'the port answers the same' : 'the port differs'}</title><style>${STYLE}</style></head>
<body>
<h1>port-check: PHP <code>${h(report.php)}</code> ↔ port <code>${h(report.ts)}</code></h1>
<p id="verdict" class="${report.same ? 'same' : 'different'}">${report.same ? 'The port answers the same' : 'The port differs'}: ${report.requests.length} requests, ${report.requests.length - differing} same, ${differing} different.</p>
${report.requests.map((r, i) => requestSection(r, i)).join('\n')}
<h2>Masked before comparing</h2>
<ul id="masks">${masks.join('') || '<li>nothing</li>'}</ul>
<h2>Not compared</h2>
<ul>${report.notCompared.map((n) => `<li>${h(n)}</li>`).join('')}<li>Sessions: ${h(report.sessions)}</li></ul>
</body></html>
`;
}

function requestSection(r: RequestResult, i: number): string {
  const state = r.differences.length ? 'different' : 'same';
  const fields = r.differences.map(
    (d) => `<li><b>${h(d.field)}</b>: php <code>${h(d.php)}</code> ≠ ts <code>${h(d.ts)}</code>${d.diff ? `<pre class="diff">${diffHtml(d.diff)}</pre>` : ''}</li>`,
  );
  return `<details class="request ${state}" id="request-${i + 1}"${r.differences.length ? ' open' : ''}>
<summary>${state === 'same' ? 'same' : 'DIFFERENT'} — ${h(r.sequence)} #${r.turn} ${h(r.method)} ${h(r.target)}${r.slow ? ' <span class="slow">(slow)</span>' : ''}</summary>
${fields.length ? `<ul class="fields">${fields.join('')}</ul>` : ''}
<table class="sides"><tr><th>PHP (${r.php.ms.toFixed(1)} ms)</th><th>port (${r.ts.ms.toFixed(1)} ms)</th></tr>
<tr><td class="php">${answerHtml(r.php)}</td><td class="ts">${answerHtml(r.ts)}</td></tr></table>
</details>`;
}

function answerHtml(a: Answer): string {
  const head = [`${a.status} ${a.reason}`, ...a.headers.map(([n, v]) => `${n}: ${v}`)].join('\n');
  return `<pre class="head">${h(head)}</pre><hr><pre class="body">${h(a.body)}</pre>`;
}

function diffHtml(diff: string): string {
  return diff
    .split('\n')
    .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? `<span class="add">${h(line)}</span>` : line.startsWith('-') && !line.startsWith('---') ? `<span class="del">${h(line)}</span>` : h(line)))
    .join('\n');
}
