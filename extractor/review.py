"""The review page: one self-contained HTML file to check extracted figures in their source text.

The page lists the documents with their error and warning counts (filtered and sorted by them) and
shows one document at a time: its text with every evidence span highlighted in its category's
colour, the figure's fields in a tooltip on hover or focus, its figures table (clicking a row goes to
its span) and its checks, each linked to its figures. A figure that fails an error or warning check
carries an icon as well as its colour. A reviewer marks each figure correct or wrong, with a note,
and saves the verdicts as a JSON file (``VERDICTS_FILE``), which ``verdicts.drafts`` turns into gold
drafts.

A corpus of thousands of documents opens fast: the documents are embedded as compact JSON, one line
each, in an inert text block that the script reads once and removes; a document's line is parsed
and its text rendered only when it is shown.

The page trusts nothing it shows. Documents are validated against the contract before use (an
invalid one is left out and named); the list is escaped here, and the script puts every other field
into the page as text nodes, never as markup; and a Content-Security-Policy allows only the page's
own style and script, by hash, with no inline handlers and no network. Source texts are embedded
only when the batch recorded reading them (see ``outputs.recorded_texts``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import InputError
from .outputs import read_outputs, recorded_texts

# Neighbouring levels get distinct hues (tests/test_review.py measures the distance between them);
# black text stays readable on each.
COLOURS = {
    "TONG_SO": "#d9d9d9", "DA_DANH_GIA": "#b2a6e6", "CHUA_DANH_GIA": "#fccde5", "MIEN_DANH_GIA": "#ccebc5",
    "TSVM": "#b3de69", "TSVM_TIEU_BIEU": "#4daf4a", "HTXSNV": "#80b1d3", "HTTNV": "#8dd3c7", "HTNV": "#ffffb3",
    "HTNV_HAN_CHE": "#fdb462", "KHTNV": "#fb8072", "YEU_KEM": "#bc80bd", "KHAC": "#e5d8bd",
}

# The figure fields the page carries, in the order of each figure's row in the page data (after its span):
# the ones most often null last, where a row leaves them out.
FIELDS = ("id", "subject", "category", "label", "year", "unit", "count", "percent", "percent_of", "percent_of_source",
          "rules", "derived", "total", "period", "change", "qualifier", "covers", "repeat_of")
# Fields whose values repeat across figures: a row holds their index in the page's table of strings.
INTERNED = ("subject", "category", "label", "unit", "percent_of", "percent_of_source", "rules", "derived", "covers")
# What a verdict repeats of its figure, so that it is never applied to another one.
KEY_FIELDS = ("subject", "category", "label", "year", "period", "unit", "count", "total", "percent", "percent_of",
              "change", "qualifier")
VERDICTS_FILE = "verdicts.json"  # the name the page saves its verdicts under
VERDICTS_FORMAT = {"xeploai": "verdicts", "version": 1}  # the marks of a verdicts file

STYLE = r"""
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#222}
nav{width:300px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f6f6f6;padding:12px;
 border-right:1px solid #ddd}
nav h1{font-size:18px;margin:0 0 8px}
.legend span{display:inline-block;margin:2px;padding:0 4px;border-radius:3px;font-size:12px}
.controls{display:grid;gap:4px;margin:8px 0;font-size:13px} .controls select,.controls input{width:100%;font:inherit}
#documents{list-style:none;padding:0;margin:0}
#documents li{padding:3px 4px;border-radius:3px;font-size:13px;border-left:3px solid transparent;
 content-visibility:auto;contain-intrinsic-size:auto 60px}
#documents li.current{background:#dbe9f6;border-left-color:#0b4f8a}
#documents a{color:#0b4f8a;text-decoration:none;word-break:break-all}
#documents .title{display:block;color:#555;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.counts{display:block;color:#555;font-size:12px}
.n-error{color:#a50f15;font-weight:600} .n-warning{color:#8c510a;font-weight:600}
.counts .zero{color:#888;font-weight:400}
main{flex:1;padding:0 24px 16px;min-width:0}
.toolbar{position:sticky;top:0;z-index:5;background:#fff;padding:8px 0;border-bottom:1px solid #ddd;display:flex;
 flex-wrap:wrap;gap:8px;align-items:center;font-size:13px}
button{font:inherit;font-size:13px;padding:1px 8px;border:1px solid #888;border-radius:3px;background:#f3f3f3;
 color:#222;cursor:pointer}
button[aria-pressed=true].v-correct{background:#2b8a3e;border-color:#2b8a3e;color:#fff}
button[aria-pressed=true].v-wrong{background:#a50f15;border-color:#a50f15;color:#fff}
button.link{border:0;background:none;padding:0;color:#0b4f8a;text-decoration:underline}
.meta{color:#555;font-size:13px;margin:4px 0}
.text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:12px;max-height:70vh;overflow:auto}
mark.fig{border-radius:3px;padding:0 1px;cursor:help;outline:none;color:inherit}
mark.fig:focus{box-shadow:0 0 0 2px #0b4f8a}
mark.fig.marked{box-shadow:0 0 0 3px #e6550d}
mark.fails-error{text-decoration:underline wavy #a50f15;text-decoration-skip-ink:none;text-underline-offset:3px}
mark.fails-warning{text-decoration:underline dashed #b35806;text-decoration-skip-ink:none;text-underline-offset:3px}
mark.fails::before,.icon{display:inline-block;width:1.2em;height:1.2em;line-height:1.2em;margin-right:2px;
 border-radius:50%;text-align:center;font-size:11px;font-weight:700;color:#fff;vertical-align:text-top}
mark.fails-error::before{content:"\d7";content:"\d7"/"fails an error check";background:#a50f15}
mark.fails-warning::before{content:"!";content:"!"/"fails a warning check";background:#b35806;border-radius:2px}
.icon-error{background:#a50f15} .icon-warning{background:#b35806;border-radius:2px} .icon-info{background:#666}
#tip{position:fixed;left:0;top:0;z-index:20;max-width:min(420px,calc(100vw - 12px));max-height:calc(100vh - 12px);
 overflow:hidden;white-space:pre-wrap;background:#222;color:#fff;font-size:12px;padding:6px 8px;border-radius:4px;
 pointer-events:none;box-shadow:0 2px 6px rgba(0,0,0,.3)}
table.figures{border-collapse:collapse;margin-top:12px;font-size:13px;width:100%}
table.figures th,table.figures td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
table.figures tbody tr{cursor:pointer}
table.figures tbody tr:hover td,table.figures tbody tr:focus td{background:#eef5fb}
table.figures tr.fails-error td{background:#fde0dd}
table.figures tr.fails-error td.flag{border-left:4px solid #a50f15}
table.figures tr.fails-warning td{background:#fff1d6}
table.figures tr.fails-warning td.flag{border-left:4px solid #b35806}
table.figures tr.verdict-wrong td.evidence{text-decoration:line-through}
td.verdict{white-space:nowrap} td.note input{width:100%;min-width:8em;font:inherit}
.checks li.error{color:#a50f15} .checks li.warning{color:#8c510a} .checks li.info{color:#555}
.note{color:#a50f15}
""" + "".join(f".cat-{name}{{background:{colour}}}" for name, colour in COLOURS.items()) + "\n"

SCRIPT = r"""
(function () {
'use strict';
const corpus = document.getElementById('corpus');
const lines = corpus.textContent.split('\n');  // the page data, then one document a line
corpus.remove();  // only the document shown is in the DOM
const head = JSON.parse(lines[0]), interned = new Set(head.interned);
const list = document.getElementById('documents'), listed = document.getElementById('listed');
const items = Array.from(list.children);
const index = new Map();
items.forEach((li, i) => { if (!index.has(li.dataset.doc)) index.set(li.dataset.doc, i); });
const view = document.getElementById('document'), tip = document.getElementById('tip');
const statusLine = document.getElementById('status');
const RANK = {error: 2, warning: 1}, ICON = {error: '\u00d7', warning: '!', info: 'i'};
const COLUMNS = ['id', 'subject', 'category', 'year', 'unit', 'count', 'total', 'percent', 'percent_of', 'change',
                 'derived'];
const verdicts = new Map();  // doc_id NUL figure id -> {doc_id, figure_id, verdict, note, fields, evidence, order}
let unsaved = false, current = -1, doc = null, anchor = null, arranged = ['order', 'all', ''].join('\n');

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function say(text) { statusLine.textContent = text; }

// Evidence offsets count code points; a string here counts UTF-16 units.
function unitsOf(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return i => Math.min(i, text.length);
  const at = [];
  let u = 0;
  for (const ch of text) { at.push(u); u += ch.length; }
  at.push(u);
  return i => at[Math.min(i, at.length - 1)];
}

function parse(i) {
  const d = JSON.parse(lines[i + 1]);
  d.index = i;
  d.at = unitsOf(d.text || '');
  d.figures = d.figures.map((row, k) => {
    const f = {k: k, start: row[0], end: row[1], evidence: row[2] ?? null};
    head.fields.forEach((name, j) => {
      const v = row[j + 3] ?? null;
      f[name] = v === null || !interned.has(name) ? v : Array.isArray(v) ? v.map(s => head.strings[s]) : head.strings[v];
    });
    return f;
  });
  d.byId = new Map();
  d.figures.forEach(f => { if (!d.byId.has(f.id)) d.byId.set(f.id, f); });
  d.checksOf = new Map();
  d.checks.forEach(c => c[3].forEach(id => {
    if (!d.checksOf.has(id)) d.checksOf.set(id, []);
    d.checksOf.get(id).push(c);
  }));
  return d;
}
function evidenceText(d, f) {
  return f.evidence !== null ? f.evidence : d.text.slice(d.at(f.start), d.at(f.end));
}
function severity(d, f) {
  let worst = '';
  (d.checksOf.get(f.id) || []).forEach(c => { if ((RANK[c[0]] || 0) > (RANK[worst] || 0)) worst = c[0]; });
  return worst;
}
function cell(f, column) {
  const v = f[column];
  if (column === 'change' && v) return v.value + ' ' + v.unit + ' since ' + (v.since ?? '?');
  if (column === 'derived') return (v || []).join(', ');
  if (column === 'year' && v === null && f.period) return f.period.join('\u2013');
  return v === null || v === undefined ? '' : String(v);
}
function key(d, f) { return d.doc_id + '\u0000' + f.id; }

// --- the text, its marks and their tooltip ---------------------------------------------------------
function mark(d, f) {
  const m = el('mark', 'fig cat-' + f.category);
  m.id = 'm' + f.k;
  m.tabIndex = 0;
  m.dataset.k = f.k;
  const s = severity(d, f);
  if (s) m.classList.add('fails', 'fails-' + s);
  return m;
}
function highlighted(d) {
  const text = d.text, box = el('div', 'text'), stack = [{node: box, end: text.length}];
  box.lang = 'vi';
  let cursor = 0;
  const top = () => stack[stack.length - 1];
  const emit = upto => {
    if (upto > cursor) { top().node.appendChild(document.createTextNode(text.slice(cursor, upto))); cursor = upto; }
  };
  const closeUntil = position => {
    while (stack.length > 1 && top().end <= position) { emit(top().end); stack.pop(); }
  };
  // Overlapping spans nest; one that runs past the end of an open one is cut to nest inside it.
  const spans = d.figures.slice().sort((a, b) => a.start - b.start || b.end - a.end || a.k - b.k);
  spans.forEach(f => {
    let start = d.at(f.start);
    closeUntil(start);
    start = Math.max(start, cursor);
    const end = Math.max(Math.min(d.at(f.end), top().end), start);
    emit(start);
    const m = mark(d, f);
    top().node.appendChild(m);
    stack.push({node: m, end: end});
  });
  closeUntil(text.length);
  emit(text.length);
  return box;
}
function tipText(d, f) {
  const dash = v => (v === null || v === undefined ? '\u2014' : v);
  const out = [f.id + '  ' + f.subject + ' \u00b7 ' + f.category + (f.label ? ' (' + f.label + ')' : ''),
    'year: ' + (f.year ?? (f.period ? f.period.join('\u2013') : '\u2014')),
    'unit: ' + (f.unit || '\u2014'),
    'count: ' + dash(f.count) + (f.total !== null ? ' / ' + f.total : ''),
    'percent: ' + dash(f.percent) + (f.percent_of ? ' of ' + f.percent_of + ' (' + f.percent_of_source + ')' : '')];
  if (f.change) out.push('change: ' + cell(f, 'change'));
  if (f.derived && f.derived.length) out.push('derived: ' + f.derived.join(', '));
  out.push('rules: ' + (f.rules || []).join(', '));
  (d.checksOf.get(f.id) || []).forEach(c => out.push(ICON[c[0]] + ' ' + c[0] + ': ' + c[2]));
  const v = verdicts.get(key(d, f));
  if (v) out.push('verdict: ' + (v.verdict || 'not marked') + (v.note ? ' \u2014 ' + v.note : ''));
  return out.join('\n');
}
// The tooltip goes below its anchor, above it when there is no room below, and is shifted left (or
// down) to stay inside the window.
function placeTip(rect) {
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight, gap = 6;
  tip.style.left = '0px';  // measured where nothing narrows it
  tip.style.top = '0px';
  const w = tip.offsetWidth, h = tip.offsetHeight;
  let left = rect.left, top = rect.bottom + gap;
  if (top + h > vh - gap && rect.top - gap - h >= gap) top = rect.top - gap - h;
  if (top + h > vh - gap) top = Math.max(gap, vh - gap - h);
  if (left + w > vw - gap) left = vw - gap - w;
  tip.style.left = Math.max(gap, left) + 'px';
  tip.style.top = top + 'px';
}
function rectAt(m, x, y) {
  const rects = Array.from(m.getClientRects());
  return rects.find(r => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) || rects[0] ||
    m.getBoundingClientRect();
}
function showTip(m, x, y) {
  if (anchor && anchor !== m) anchor.removeAttribute('aria-describedby');
  anchor = m;
  tip.textContent = tipText(doc, doc.figures[+m.dataset.k]);
  tip.hidden = false;
  placeTip(rectAt(m, x ?? -1, y ?? -1));
  m.setAttribute('aria-describedby', 'tip');
}
function hideTip() {
  if (anchor) anchor.removeAttribute('aria-describedby');
  anchor = null;
  tip.hidden = true;
}
function markFigure(id) {
  document.querySelectorAll('mark.fig.marked').forEach(m => m.classList.remove('marked'));
  const m = document.getElementById(id);
  if (!m) return;
  m.classList.add('marked');
  m.scrollIntoView({block: 'center'});
  m.focus({preventScroll: true});
}

// --- the document shown ----------------------------------------------------------------------------
function icon(s) {
  const i = el('span', 'icon icon-' + s, ICON[s]);
  i.setAttribute('role', 'img');
  i.setAttribute('aria-label', 'fails ' + (s === 'error' ? 'an error' : 'a warning') + ' check');
  i.title = i.getAttribute('aria-label');
  return i;
}
function verdictCells(tr, f) {
  const buttons = el('td', 'verdict');
  [['correct', '\u2713 correct'], ['wrong', '\u2717 wrong']].forEach(([value, label]) => {
    const b = el('button', 'v-' + value, label);
    b.type = 'button';
    b.dataset.verdict = value;
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('aria-label', f.id + ' ' + value);
    buttons.appendChild(b);
  });
  const note = el('td', 'note'), input = el('input');
  input.type = 'text';
  input.placeholder = 'note';
  input.setAttribute('aria-label', 'note on ' + f.id);
  note.appendChild(input);
  tr.append(buttons, note);
}
function row(d, f) {
  const tr = el('tr');
  tr.tabIndex = 0;
  tr.dataset.k = f.k;
  if (d.text !== null) tr.dataset.target = 'm' + f.k;
  const s = severity(d, f), flag = el('td', 'flag');
  if (s) { tr.classList.add('fails', 'fails-' + s); flag.appendChild(icon(s)); }
  tr.appendChild(flag);
  COLUMNS.forEach(c => tr.appendChild(el('td', null, cell(f, c))));
  const evidence = el('td', 'evidence', evidenceText(d, f));
  evidence.lang = 'vi';
  tr.appendChild(evidence);
  verdictCells(tr, f);
  return tr;
}
function figuresTable(d) {
  const table = el('table', 'figures'), thead = el('thead'), tr = el('tr'), body = el('tbody');
  ['check'].concat(COLUMNS, ['evidence', 'verdict', 'note']).forEach(c => tr.appendChild(el('th', null, c)));
  thead.appendChild(tr);
  d.figures.forEach(f => body.appendChild(row(d, f)));
  table.append(thead, body);
  return table;
}
function checksList(d) {
  const ul = el('ul', 'checks');
  d.checks.forEach(c => {
    const li = el('li', c[0]);
    if (RANK[c[0]]) li.appendChild(icon(c[0]));
    li.append('[' + c[0] + '] ' + c[2] + ' \u2014 ');
    c[3].forEach(id => {
      const f = d.byId.get(id), linked = f && d.text !== null;
      const link = el(linked ? 'button' : 'span', linked ? 'link' : null, id);
      if (linked) { link.type = 'button'; link.dataset.target = 'm' + f.k; }
      li.append(link, ' ');
    });
    ul.appendChild(li);
  });
  return ul;
}
function summary(d) {
  const n = severity => d.checks.filter(c => c[0] === severity).length;
  return d.figures.length + ' figures \u00b7 ' + n('error') + ' errors \u00b7 ' + n('warning') + ' warnings';
}
function show(i) {
  hideTip();
  if (current >= 0) { items[current].classList.remove('current'); items[current].removeAttribute('aria-current'); }
  current = i;
  doc = parse(i);
  items[i].classList.add('current');
  items[i].setAttribute('aria-current', 'true');
  const d = doc, header = el('header'), title = el('h2', null, d.title || d.doc_id), moves = el('p', 'meta');
  title.lang = 'vi';
  [['previous', -1, '\u2190 previous'], ['next', 1, 'next \u2192']].forEach(([name, step, label]) => {
    const b = el('button', name, label);
    b.type = 'button';
    b.dataset.step = step;
    moves.append(b, ' ');
  });
  moves.append(d.doc_id);
  header.append(moves, title, el('p', 'meta', d.meta.join(' \u00b7 ')), el('p', 'meta summary', summary(d)));
  const parts = [header];
  parts.push(d.text === null ? el('p', 'note', 'No source text: the batch did not record reading this input ' +
    '(or it changed since), so the spans cannot be shown.') : highlighted(d));
  parts.push(figuresTable(d));
  if (d.checks.length) parts.push(el('h3', null, 'Checks'), checksList(d));
  view.replaceChildren(...parts);
  d.figures.forEach(paint);
  window.scrollTo(0, 0);
}

// --- moving between documents ----------------------------------------------------------------------
function go(i) {
  if (i === undefined || i < 0) return;
  if (i !== current) show(i);
  const hash = '#' + encodeURIComponent(items[i].dataset.doc);
  if (location.hash !== hash) location.hash = hash;
}
function fromHash() {
  try { return index.get(decodeURIComponent(location.hash.slice(1))); } catch (e) { return undefined; }
}
function step(by) {  // from a document the filter took out of the list: to the list's first or last
  const shown = Array.from(list.children), at = shown.indexOf(items[current]);
  const next = at < 0 ? shown[by > 0 ? 0 : shown.length - 1] : shown[at + by];
  if (next) go(+next.dataset.i);
}
const TESTS = {
  all: () => true,
  errors: li => +li.dataset.errors > 0,
  warnings: li => +li.dataset.warnings > 0,
  flagged: li => +li.dataset.errors + +li.dataset.warnings > 0,
  clean: li => +li.dataset.errors + +li.dataset.warnings === 0,
  unmarked: li => +li.dataset.marked < +li.dataset.figures,
};
function searchable(li) {
  if (li.searchText === undefined) {
    const title = li.querySelector('.title');
    li.searchText = (li.dataset.doc + ' ' + (title ? title.textContent : '')).toLowerCase();
  }
  return li.searchText;
}
// The list holds the documents the filter keeps, in the order asked; the others are taken out of it
// (cheaper than hiding thousands of items). Nothing moves while the choice is the one shown.
function arrange(force) {
  const by = document.getElementById('sort').value, filter = document.getElementById('filter').value;
  const words = document.getElementById('find').value.trim().toLowerCase(), choice = [by, filter, words].join('\n');
  if (force || choice !== arranged) {
    const sorted = items.slice();
    if (by !== 'order') sorted.sort((a, b) => +b.dataset[by] - +a.dataset[by] || +a.dataset.i - +b.dataset.i);
    list.replaceChildren(...sorted.filter(li => TESTS[filter](li) && (!words || searchable(li).includes(words))));
    arranged = choice;
  }
  listed.textContent = list.children.length + ' of ' + items.length + ' documents';
}

// --- verdicts --------------------------------------------------------------------------------------
function snapshot(d, f) {
  const fields = {};
  head.key_fields.forEach(name => { fields[name] = f[name] ?? null; });
  return {doc_id: d.doc_id, figure_id: f.id, verdict: null, note: '', fields: fields,
          evidence: {start: f.start, end: f.end, text: evidenceText(d, f)}, order: [d.index, f.k]};
}
function paint(f) {
  const v = verdicts.get(key(doc, f)), tr = view.querySelector('tbody tr[data-k="' + f.k + '"]');
  const verdict = v ? v.verdict : null;
  tr.classList.toggle('verdict-correct', verdict === 'correct');
  tr.classList.toggle('verdict-wrong', verdict === 'wrong');
  tr.querySelectorAll('button[data-verdict]').forEach(b => {
    b.setAttribute('aria-pressed', String(b.dataset.verdict === verdict));
  });
  const input = tr.querySelector('td.note input');
  if (input.value !== (v ? v.note : '')) input.value = v ? v.note : '';
}
function countMarked(i, marked) {
  const li = items[i];
  li.dataset.marked = marked;
  li.querySelector('.n-marked').textContent = marked + '/' + li.dataset.figures + ' marked';
}
function judge(k, verdict, note) {
  const f = doc.figures[k], id = key(doc, f), entry = verdicts.get(id) || snapshot(doc, f);
  if (verdict !== undefined) entry.verdict = entry.verdict === verdict ? null : verdict;
  if (note !== undefined) entry.note = note;
  if (entry.verdict || entry.note) verdicts.set(id, entry); else verdicts.delete(id);
  unsaved = true;
  paint(f);
  countMarked(current, doc.figures.filter(g => (verdicts.get(key(doc, g)) || {}).verdict).length);
}
function save() {
  const entries = Array.from(verdicts.values()).sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  if (!entries.length) { say('Nothing to save yet: mark figures correct or wrong first.'); return; }
  const data = Object.assign({}, head.format, {verdicts: entries.map(e => ({doc_id: e.doc_id, figure_id: e.figure_id,
    verdict: e.verdict, note: e.note, fields: e.fields, evidence: e.evidence}))});
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + '\n'], {type: 'application/json'}));
  const a = el('a');
  a.href = url;
  a.download = head.file;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  unsaved = false;
  say(entries.length + ' verdicts saved as ' + head.file + ' (in the browser\'s downloads folder); ' +
      '"xeploai annotate OUT --verdicts ' + head.file + ' -o GOLD" makes gold drafts of them.');
}
function sameFigure(a, b) {
  return b && b.evidence && a.evidence.start === b.evidence.start && a.evidence.end === b.evidence.end &&
    head.key_fields.every(name => JSON.stringify(a.fields[name]) === JSON.stringify((b.fields || {})[name] ?? null));
}
function merge(data, name) {
  if (!data || data.xeploai !== head.format.xeploai || !Array.isArray(data.verdicts)) {
    throw new Error('not a verdicts file this page saved');
  }
  const parsed = new Map([[current, doc]]);
  let taken = 0, unknown = 0, changed = 0;
  data.verdicts.forEach(v => {
    const i = index.get(v && v.doc_id);
    if (i === undefined) { unknown++; return; }
    if (!parsed.has(i)) parsed.set(i, parse(i));
    const d = parsed.get(i), f = d.byId.get(v.figure_id), entry = f && snapshot(d, f);
    if (!f || !sameFigure(entry, v)) { changed++; return; }
    entry.verdict = v.verdict === 'correct' || v.verdict === 'wrong' ? v.verdict : null;
    entry.note = typeof v.note === 'string' ? v.note : '';
    if (entry.verdict || entry.note) { verdicts.set(key(d, f), entry); taken++; }
  });
  parsed.forEach((d, i) => countMarked(i, d.figures.filter(g => (verdicts.get(key(d, g)) || {}).verdict).length));
  doc.figures.forEach(paint);
  arrange(true);  // the counts of marked figures changed
  say(name + ': ' + taken + ' verdicts loaded' + (unknown ? '; ' + unknown + ' for documents not on this page' : '') +
      (changed ? '; ' + changed + ' for figures that are not on this page as they were reviewed' : '') +
      (unknown || changed ? ' (left out)' : '') + '.');
}

// --- events ----------------------------------------------------------------------------------------
document.addEventListener('click', e => {
  const item = e.target.closest('#documents li');
  if (item) { e.preventDefault(); go(+item.dataset.i); return; }
  const b = e.target.closest('button');
  if (b && b.dataset.verdict) { judge(+b.closest('tr').dataset.k, b.dataset.verdict); return; }
  if (b && b.dataset.step) { step(+b.dataset.step); return; }
  if (b && b.id === 'save') { save(); return; }
  if (e.target.closest('input')) return;
  const t = e.target.closest('[data-target]');
  if (t) { e.preventDefault(); markFigure(t.dataset.target); }
});
document.addEventListener('keydown', e => {
  if (e.key === 'Escape') { hideTip(); return; }
  if (e.key !== 'Enter' || e.target.closest('input, button')) return;
  const t = e.target.closest('[data-target]');
  if (t) markFigure(t.dataset.target);
});
view.addEventListener('input', e => {
  if (e.target.closest('td.note')) judge(+e.target.closest('tr').dataset.k, undefined, e.target.value);
});
document.addEventListener('mouseover', e => {
  const m = e.target.closest('mark.fig');
  if (m) showTip(m, e.clientX, e.clientY);
  else if (anchor && anchor !== document.activeElement) hideTip();
});
document.addEventListener('focusin', e => { if (e.target.matches('mark.fig')) showTip(e.target); });
document.addEventListener('focusout', e => { if (e.target.matches('mark.fig')) hideTip(); });
document.addEventListener('scroll', () => {  // a focused mark's tooltip follows it; the pointer's goes
  if (anchor && anchor === document.activeElement) placeTip(rectAt(anchor, -1, -1)); else if (anchor) hideTip();
}, true);
['filter', 'sort', 'find'].forEach(id => document.getElementById(id).addEventListener('input', () => arrange()));
document.getElementById('load').addEventListener('change', e => {
  const file = e.target.files[0];
  if (!file) return;
  file.text().then(text => merge(JSON.parse(text), file.name))
    .catch(error => say(file.name + ': not loaded (' + error.message + ').'));
  e.target.value = '';
});
window.addEventListener('hashchange', () => {
  const i = fromHash();
  if (i !== undefined && items[i].dataset.doc !== items[current].dataset.doc) show(i);
});
window.addEventListener('beforeunload', e => { if (unsaved) { e.preventDefault(); e.returnValue = ''; } });

arrange();
show(fromHash() ?? 0);
})();
"""


def _sha256(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


POLICY = (f"default-src 'none'; script-src {_sha256(SCRIPT)}; style-src {_sha256(STYLE)}; "
          "base-uri 'none'; form-action 'none'")

FILTERS = (("all", "all documents"), ("errors", "with errors"), ("warnings", "with warnings"),
           ("flagged", "with errors or warnings"), ("clean", "with neither"), ("unmarked", "with figures not marked"))
SORTS = (("order", "doc_id"), ("errors", "errors, most first"), ("warnings", "warnings, most first"),
         ("figures", "figures, most first"))


@dataclass
class Item:
    document: dict
    text: str | None  # the text the evidence offsets point into, when it could be found


class _Strings:
    """The page's table of strings, each held once: ``index(value)`` is its place in ``values``."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self.values: list[str] = []

    def index(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


def _figure_row(f: dict, text: str | None, strings: _Strings) -> list:
    """A figure as the page carries it: its span, its evidence text (only when the page cannot cut it
    from ``text``), then FIELDS, the INTERNED ones by their index in ``strings``; the nulls at its end
    (an empty list is null) are left out."""
    evidence = f["evidence"]
    cut = text is not None and text[evidence["start"]:evidence["end"]] == evidence["text"]
    row = [evidence["start"], evidence["end"], None if cut else evidence["text"]]
    for name in FIELDS:
        value = f.get(name)
        if value in (None, []) or name not in INTERNED:
            row.append(None if value == [] else value)
        else:
            row.append([strings.index(v) for v in value] if isinstance(value, list) else strings.index(value))
    while row[-1] is None:
        row.pop()
    return row


def _record(item: Item, strings: _Strings) -> dict:
    doc = item.document
    meta = [str(x) for x in (doc.get("source"), doc.get("published"), doc.get("year"), doc.get("reporting_unit")) if x]
    return {"doc_id": doc["doc_id"], "title": doc.get("title"), "meta": meta, "text": item.text,
            "figures": [_figure_row(f, item.text, strings) for f in doc.get("figures", [])],
            "checks": [[c["severity"], c["kind"], c["message"], c["figures"]] for c in doc.get("checks", [])]}


def _count(n: int, what: str, cls: str) -> str:
    return f'<span class="{cls}{" zero" if n == 0 else ""}">{n} {what}{"" if n == 1 else "s"}</span>'


def _list_item(i: int, doc: dict) -> str:
    severities = [c["severity"] for c in doc.get("checks", [])]
    errors, warnings, figures = severities.count("error"), severities.count("warning"), len(doc.get("figures", []))
    doc_id = doc["doc_id"]
    title = f'<span class="title" lang="vi">{html.escape(doc["title"])}</span>' if doc.get("title") else ""
    return (f'<li data-i="{i}" data-doc="{html.escape(doc_id)}" data-errors="{errors}" data-warnings="{warnings}" '
            f'data-figures="{figures}" data-marked="0"><a href="#{html.escape(quote(doc_id, safe=""))}">'
            f'{html.escape(doc_id)}</a>{title}<span class="counts">{_count(errors, "error", "n-error")} · '
            f'{_count(warnings, "warning", "n-warning")} · {figures} figures · '
            f'<span class="n-marked">0/{figures} marked</span></span></li>')


def _options(element_id: str, label: str, choices: tuple[tuple[str, str], ...]) -> str:
    options = "".join(f'<option value="{value}">{text}</option>' for value, text in choices)
    return f'<label>{label} <select id="{element_id}">{options}</select></label>'


def _data(items: list[Item]) -> str:
    """The page data (its first line) and one document a line, as JSON escaped for an HTML text block:
    JSON writes no line break inside a string, so the lines split where the documents do."""
    strings = _Strings()
    records = [_record(item, strings) for item in items]
    head = {"fields": FIELDS, "interned": INTERNED, "strings": strings.values, "key_fields": KEY_FIELDS,
            "format": VERDICTS_FORMAT, "file": VERDICTS_FILE}
    lines = [head] + records
    return html.escape("\n".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) for line in lines),
                       quote=False)


def render(items: list[Item]) -> str:
    nav = "".join(_list_item(i, item.document) for i, item in enumerate(items))
    legend = "".join(f'<span class="cat-{name}">{name}</span>' for name in COLOURS)
    controls = (_options("filter", "Show", FILTERS) + _options("sort", "Sort by", SORTS)
                + '<input id="find" type="search" placeholder="find a doc_id or title" aria-label="find a document">')
    toolbar = ('<button type="button" id="save">Save verdicts</button> <label>Load verdicts '
               '<input type="file" id="load" accept=".json,application/json"></label> <span id="status" role="status">'
               '</span>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}"><title>xeploai review</title>'
            f"<style>{STYLE}</style></head><body>\n"
            f'<nav aria-label="documents"><h1>xeploai review</h1><div class="legend">{legend}</div>'
            f'<div class="controls">{controls}</div><p class="meta" id="listed"></p>'
            f'<ul id="documents">{nav}</ul></nav>\n'
            f'<main><div class="toolbar">{toolbar}</div><article id="document"></article>'
            f"<noscript><p>This page shows the documents with JavaScript.</p></noscript></main>\n"
            f'<div id="tip" role="tooltip" hidden></div>\n<div id="corpus" hidden>{_data(items)}</div>\n'
            f"<script>{SCRIPT}</script></body></html>\n")


def load_items(paths: list[Path]) -> tuple[list[Item], list[InputError]]:
    """The valid output documents among ``paths`` with their recorded texts, and the invalid ones."""
    found = read_outputs(paths)
    texts = recorded_texts(found.documents)
    items = [Item(doc.model_dump(mode="json"), text) for (_, doc), text in zip(found.documents, texts)]
    return items, found.invalid
