"""The review page: one self-contained HTML file to check extracted figures in their source text.

Every evidence span is highlighted and coloured by category; hovering or focusing it shows the
figure's fields. Each document has its figures table (clicking a row scrolls to its span and marks
it) and its checks, each linked to its figures.

The page trusts nothing it shows. Documents are validated against the contract before use (an
invalid one is left out and named); every field, ids and paths included, is escaped; and a
Content-Security-Policy allows only the page's own style and script, by hash, with no inline
handlers and no network. Source texts are embedded only when the batch recorded reading them
(see ``outputs.recorded_texts``).
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .outputs import read_outputs, recorded_texts

COLOURS = {
    "TONG_SO": "#d9d9d9", "DA_DANH_GIA": "#c6dbef", "CHUA_DANH_GIA": "#fdd0a2", "MIEN_DANH_GIA": "#fee6ce",
    "TSVM": "#a1d99b", "TSVM_TIEU_BIEU": "#74c476", "HTXSNV": "#9ecae1", "HTTNV": "#c7e9c0", "HTNV": "#fff3b0",
    "HTNV_HAN_CHE": "#fde49c", "KHTNV": "#fcbba1", "YEU_KEM": "#fb6a4a", "KHAC": "#dadaeb",
}

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#222}
nav{width:260px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f6f6f6;padding:12px;box-sizing:border-box}
nav h1{font-size:18px;margin:0 0 8px} nav ul{list-style:none;padding:0;margin:0} nav li{margin:2px 0}
nav a{color:#0b4f8a;text-decoration:none} .legend span{display:inline-block;margin:2px;padding:0 4px;border-radius:3px;font-size:12px}
main{flex:1;padding:16px 24px;min-width:0} section.document{border-bottom:2px solid #ddd;padding-bottom:24px;margin-bottom:24px}
.meta{color:#555;font-size:13px} .text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:12px;max-height:70vh;overflow:auto}
mark.fig{position:relative;border-radius:3px;padding:0 1px;cursor:help;outline:none}
mark.fig:hover::after,mark.fig:focus::after{content:attr(data-tip);position:absolute;left:0;top:100%;z-index:10;
 white-space:pre;background:#222;color:#fff;font-size:12px;padding:6px 8px;border-radius:4px;min-width:220px}
mark.fig.marked{box-shadow:0 0 0 3px #e6550d}
table.figures{border-collapse:collapse;margin-top:12px;font-size:13px;width:100%}
table.figures th,table.figures td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
table.figures tbody tr{cursor:pointer} table.figures tbody tr:hover,table.figures tbody tr:focus{background:#eef5fb}
.checks li.error{color:#a50f15} .checks li.warning{color:#8c510a} .checks li.info{color:#555}
.note{color:#a50f15}
""" + "".join(f".cat-{name}{{background:{colour}}}" for name, colour in COLOURS.items()) + "\n"

SCRIPT = """
function markFigure(id){
  document.querySelectorAll('mark.fig.marked').forEach(function(m){m.classList.remove('marked');});
  var el=document.getElementById(id);
  if(el){el.classList.add('marked');el.scrollIntoView({block:'center'});el.focus({preventScroll:true});}
}
document.addEventListener('click',function(e){
  var t=e.target.closest('[data-target]'); if(!t) return; e.preventDefault(); markFigure(t.getAttribute('data-target'));
});
document.addEventListener('keydown',function(e){
  if(e.key!=='Enter') return; var t=e.target.closest('[data-target]'); if(t) markFigure(t.getAttribute('data-target'));
});
"""

def _sha256(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


POLICY = (f"default-src 'none'; script-src {_sha256(SCRIPT)}; style-src {_sha256(STYLE)}; "
          "base-uri 'none'; form-action 'none'")

COLUMNS = ("id", "subject", "category", "year", "unit", "count", "total", "percent", "percent_of", "change", "derived")


@dataclass
class Item:
    document: dict
    text: str | None  # the text the evidence offsets point into, when it could be found


def _tip(f: dict) -> str:
    change = f.get("change")
    lines = [
        f"{f['id']}  {f['subject']} · {f['category']}" + (f" ({f['label']})" if f.get("label") else ""),
        f"year: {f.get('year') if f.get('year') is not None else (f.get('period') or '—')}",
        f"unit: {f.get('unit') or '—'}",
        f"count: {f.get('count') if f.get('count') is not None else '—'}"
        + (f" / {f['total']}" if f.get("total") is not None else ""),
        f"percent: {f.get('percent') if f.get('percent') is not None else '—'}"
        + (f" of {f['percent_of']} ({f.get('percent_of_source')})" if f.get("percent_of") else ""),
    ]
    if change:
        lines.append(f"change: {change['value']} {change['unit']} since {change.get('since') or '?'}")
    if f.get("derived"):
        lines.append("derived: " + ", ".join(f["derived"]))
    lines.append("rules: " + ", ".join(f.get("rules") or []))
    return "\n".join(lines)


def highlighted(text: str, figures: list[dict], prefix: str) -> str:
    """The escaped text with one <mark> per figure. Overlapping spans are nested; a span that
    overlaps the end of an open one is shortened to nest inside it (its tooltip keeps the full figure)."""
    out: list[str] = []
    stack: list[int] = []  # ends of the open marks
    cursor = 0

    def close_until(position: int) -> None:
        nonlocal cursor
        while stack and stack[-1] <= position:
            end = stack.pop()
            out.append(html.escape(text[cursor:end]))
            out.append("</mark>")
            cursor = end

    for f in sorted(figures, key=lambda f: (f["evidence"]["start"], -f["evidence"]["end"])):
        start, end = f["evidence"]["start"], f["evidence"]["end"]
        close_until(start)
        start = max(start, cursor)
        if stack:
            end = min(end, stack[-1])
        end = max(end, start)
        out.append(html.escape(text[cursor:start]))
        cursor = start
        category = f["category"]
        fid = html.escape(f["id"])
        out.append(f'<mark class="fig cat-{html.escape(category)}" id="{prefix}-{fid}" data-figure="{fid}" tabindex="0" '
                   f'data-tip="{html.escape(_tip(f))}">')
        stack.append(end)
    close_until(len(text))
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def _cell(f: dict, column: str) -> str:
    value = f.get(column)
    if column == "change" and value:
        value = f"{value['value']} {value['unit']} since {value.get('since') or '?'}"
    elif column == "derived":
        value = ", ".join(value or [])
    return html.escape("" if value is None else str(value))


def _section(index: int, item: Item) -> str:
    doc = item.document
    prefix = f"d{index}"
    figures = doc.get("figures", [])
    meta = " · ".join(html.escape(str(x)) for x in (doc.get("source"), doc.get("published"), doc.get("year"),
                                                      doc.get("reporting_unit")) if x)
    parts = [f'<section class="document" id="{prefix}" data-doc="{html.escape(doc["doc_id"])}">',
             f'<h2>{html.escape(doc.get("title") or doc["doc_id"])}</h2>', f'<p class="meta">{meta}</p>']
    if item.text is None:
        parts.append('<p class="note">The source text was not found, so the spans cannot be shown.</p>')
    else:
        parts.append(f'<div class="text">{highlighted(item.text, figures, prefix)}</div>')
    parts.append('<table class="figures"><thead><tr>' + "".join(f"<th>{c}</th>" for c in COLUMNS)
                 + "<th>evidence</th></tr></thead><tbody>")
    for f in figures:
        cells = "".join(f"<td>{_cell(f, c)}</td>" for c in COLUMNS)
        parts.append(f'<tr data-target="{prefix}-{html.escape(f["id"])}" tabindex="0">{cells}'
                     f'<td>{html.escape(f["evidence"]["text"])}</td></tr>')
    parts.append("</tbody></table>")
    checks = doc.get("checks", [])
    if checks:
        parts.append('<h3>Checks</h3><ul class="checks">')
        for c in checks:
            links = " ".join(f'<a href="#{prefix}-{fid}" data-target="{prefix}-{fid}">{fid}</a>'
                             for fid in map(html.escape, c["figures"]))
            parts.append(f'<li class="{html.escape(c["severity"])}">[{html.escape(c["severity"])}] '
                         f'{html.escape(c["message"])} — {links}</li>')
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def render(items: list[Item]) -> str:
    nav = "".join(
        f'<li><a href="#d{i}">{html.escape(item.document["doc_id"])}</a> '
        f'({len(item.document.get("figures", []))} figures, {len(item.document.get("checks", []))} checks)</li>'
        for i, item in enumerate(items))
    legend = "".join(f'<span class="cat-{name}">{name}</span>' for name in COLOURS)
    sections = "\n".join(_section(i, item) for i, item in enumerate(items))
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}"><title>xeploai review</title>'
            f"<style>{STYLE}</style></head><body>\n"
            f'<nav><h1>xeploai review</h1><div class="legend">{legend}</div><ul>{nav}</ul></nav>\n'
            f"<main>{sections}</main>\n<script>{SCRIPT}</script></body></html>\n")


def load_items(paths: list[Path]) -> tuple[list[Item], list[InputError]]:
    """The valid output documents among ``paths`` with their recorded texts, and the invalid ones."""
    found = read_outputs(paths)
    texts = recorded_texts(found.documents)
    items = [Item(doc.model_dump(mode="json"), text) for (_, doc), text in zip(found.documents, texts)]
    return items, found.invalid
