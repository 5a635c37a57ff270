// Safe HTML building for the report. Every value interpolated into `html` is escaped as text unless it is itself a
// fragment built by `html` (or `raw` for the page's own constant markup): instance ids, tags, error messages and
// reasons come from files an attacker may have written to (tags on their own instance), and must never become markup.

import { createHash } from 'node:crypto';

export class Fragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value) as HTML: & < > " ' escaped, so it can never open a tag nor leave an attribute. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function part(v: unknown): string {
  if (v instanceof Fragment) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

/**
 * Source templates may be laid out over lines (Prettier formats `html` templates as HTML): a line break with its
 * indentation between two tags is dropped, anywhere else it becomes one space — what HTML renders anyway — so the
 * file stays small.
 */
const compacted = new WeakMap<TemplateStringsArray, string[]>();
function compact(strings: TemplateStringsArray): string[] {
  let c = compacted.get(strings);
  if (!c) {
    c = strings.map((s) => s.replace(/>\s*\n\s*</g, '><').replace(/\s*\n\s*/g, ' '));
    compacted.set(strings, c);
  }
  return c;
}

/** A template whose interpolations are escaped (arrays are joined; undefined, null and false render nothing). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  const parts = compact(strings);
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + parts[i + 1]!;
  return new Fragment(out);
}

/** Markup the report itself wrote (constants, numbers it computed): never a value read from a file. */
export const raw = (s: string): Fragment => new Fragment(s);

const sha256b64 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

const STYLE = `
:root{--cut:#116329;--cut-bg:#dafbe1;--open:#a40e26;--open-bg:#ffd8d3;--may:#7d4e00;--may-bg:#fff1c2;--ink:#1f2328;
--mute:#59636e;--line:#d1d9e0;--paper:#fff;--band:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--band)}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header.banner{padding:22px 28px;color:#fff;margin-bottom:18px}
header.banner.ok{background:#1a7f37}header.banner.bad{background:#b3261e}header.banner.neutral{background:#3c5a80}
header h1{margin:0 0 6px;font-size:26px}header .lead{margin:0;font-size:16px;max-width:1100px}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 0;padding:0}
.figures div{background:rgba(255,255,255,.14);border-radius:6px;padding:8px 14px;min-width:150px}
.figures dt{font-size:12px;opacity:.9}.figures dd{margin:0;font-size:20px;font-weight:600}
section{background:var(--paper);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
h2{margin:0 0 10px;font-size:20px}h3{margin:18px 0 8px;font-size:16px}h4{margin:12px 0 6px;font-size:14px}
p.note,.mute{color:var(--mute)}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:var(--band);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
.v-cut{background:var(--cut-bg);color:var(--cut)}.v-open{background:var(--open-bg);color:var(--open);font-weight:600}
.v-may-survive{background:var(--may-bg);color:var(--may)}.v-none{background:#eee;color:var(--mute)}
table.grid{table-layout:fixed;width:530px}table.grid td,table.grid th{font-size:12px;padding:3px 5px}table.grid td{text-align:center}
table.grid col.side{width:98px}table.grid col.dir{width:68px}table.grid col.kind{width:91px}
svg#isolation-histogram{max-width:720px}.ids{white-space:nowrap}
.pair{display:flex;flex-wrap:wrap;gap:16px}.pair>div{flex:0 1 auto}
.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.tag.ok{background:var(--cut-bg);color:var(--cut)}.tag.bad{background:var(--open-bg);color:var(--open)}
.tag.warn{background:var(--may-bg);color:var(--may)}
svg{display:block;width:100%;height:auto;background:#fff}
svg text{font:11px system-ui,sans-serif;fill:#444}svg .lane-label{fill:#1f2328}
svg .axis{stroke:#c9d1d9}svg .mark-apply{stroke:#6e7781;stroke-dasharray:4 3}
svg .mark-isolated{stroke:#cf222e;stroke-width:2}svg .mark-isolated-text{fill:#cf222e;font-weight:600}
svg .c-ok{fill:#0969da}svg .c-p0{fill:#8250df}svg .c-fail{fill:#d4a72c}svg .c-throttle{fill:#cf222e}
svg .c-wait{stroke:#afb8c1}svg .bar{fill:#0969da}svg .pct{stroke:#8250df;stroke-dasharray:3 2}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
nav{margin:0 0 6px}nav a{margin-right:14px}
.toolbar{float:right}.toolbar button{font:inherit;margin-left:6px}
.legend span{margin-right:14px;white-space:nowrap}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.sw-p0{background:#8250df}.sw-ok{background:#0969da}.sw-throttle{background:#cf222e}.sw-fail{background:#d4a72c}
footer{color:var(--mute);font-size:12px;margin-top:20px}
`;

const SCRIPT = `document.querySelectorAll('button[data-details]').forEach(function(b){b.addEventListener('click',function(){var o=b.getAttribute('data-details')==='open';document.querySelectorAll('details').forEach(function(d){d.open=o;});});});`;

/** The whole page: inline style and script only, pinned by a Content-Security-Policy that loads nothing else. */
export function page(title: string, body: Fragment): string {
  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${sha256b64(STYLE)}'`,
    `script-src 'sha256-${sha256b64(SCRIPT)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  // Built as plain strings: the style and script must stay byte for byte what the policy's hashes were taken of.
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="cordon report">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body.text,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
