"""Explain: what the pipeline made of a text, sentence by sentence, for a person debugging a phrasing.

For the document: its year and why, the evidence for it, the publication date, the reporting unit
and the parts of the page. For each sentence with a mention: its role on the page, its symbols (the
alphabet of ``patterns/shapes.yaml``), its mentions with the pattern ids that found them, every shape
tried on it and what came of it (a figure with its context decisions, a rule that ruled it out, a
requirement that did not hold), and the figures it gave.
"""

from __future__ import annotations

from collections import Counter

from .models import Figure
from .patterns import Patterns
from .pipeline import Run, run

_GAP_SYMBOLS = frozenset("();:,&w|¶")
_SNIPPET = 160  # characters of a sentence shown
_SOURCES = {"body": "a sentence about rating", "headline": "the headline", "decision": "a dated rating decision",
            "dateline": "the dateline", "caption": "a caption", "other": "other text"}


def explain(text: str, patterns: Patterns | None = None, *, every_sentence: bool = False) -> str:
    """The explanation of ``text`` as lines of plain text (the format is held by tests/test_explain.py)."""
    result = run(text, patterns=patterns, trace=True)
    lines = _document_lines(result)
    ids = {id(d): f"f{i}" for i, d in enumerate(result.drafts, start=1)}
    figures = {f.id: f for f in result.document.figures}
    by_sentence: dict[int, list] = {}
    for attempt in result.trace or []:
        by_sentence.setdefault(result.mentions.sentence_of[attempt.symbols[0]], []).append(attempt)
    for index, (lo, hi) in enumerate(_sentence_symbols(result)):
        mentions = [k for k in range(lo, hi) if result.mentions.symbols[k] not in _GAP_SYMBOLS]
        if not mentions and not every_sentence:
            continue
        lines.append("")
        lines.extend(_sentence_lines(result, index, lo, hi, mentions))
        for attempt in by_sentence.get(index, []):
            where = f"{attempt.shape} @{attempt.symbols[0] - lo}-{attempt.symbols[1] - lo}"
            if not attempt.drafts:
                lines.append(f"  {where}: {attempt.outcome}")
            for draft in attempt.drafts:
                lines.append(f"  {where}: {_figure_line(figures[ids[id(draft)]])}")
    return "\n".join(lines) + "\n"


def _document_lines(result: Run) -> list[str]:
    doc, decision = result.document, result.document.year_decision
    lines = [f"document: year {doc.year if doc.year is not None else '–'} ({decision.source or 'no source'}: "
             f"{decision.reason}); published {doc.published or '–'}; reporting unit {doc.reporting_unit or '–'}"]
    for e in decision.evidence:
        aside = f", set aside: {e.set_aside}" if e.set_aside else ""
        times = f" ({e.mentions} mentions)" if e.mentions > 1 else ""
        lines.append(f"  year evidence: {e.year} from {_SOURCES[e.source]} «{e.text}»{times}{aside}")
    roles = Counter(part.role for part in result.page.parts)
    lines.append("page: " + ", ".join(f"{count} {role}" for role, count in sorted(roles.items())))
    if doc.title:
        lines.append(f"title: {doc.title}")
    return lines


def _sentence_symbols(result: Run) -> list[tuple[int, int]]:
    """For each sentence, its range [lo, hi) in the symbol string (every sentence has its end symbol)."""
    ranges: list[list[int]] = [[-1, -1] for _ in result.mentions.sentences]
    for k, s in enumerate(result.mentions.sentence_of):
        if ranges[s][0] == -1:
            ranges[s][0] = k
        ranges[s][1] = k + 1
    return [(lo, hi) for lo, hi in ranges]


def _sentence_lines(result: Run, index: int, lo: int, hi: int, mentions: list[int]) -> list[str]:
    sentence = result.mentions.sentences[index]
    norm = result.norm
    start, end = norm.span(sentence.start, sentence.end)
    snippet = " ".join(norm.original[start:end].split())
    if len(snippet) > _SNIPPET:
        snippet = snippet[:_SNIPPET] + " …"
    tokens = result.mentions.tokens
    shown = [f"{tokens[k].sym} «{norm.text[tokens[k].start:tokens[k].end]}»" + (f" {tokens[k].rule}" if tokens[k].rule else "")
             for k in mentions]
    return [f"[{index + 1} {result.page.role(sentence.paragraph)}] {snippet}",
            f"  symbols: {result.mentions.symbols[lo:hi]}",
            "  mentions: " + ("; ".join(shown) if shown else "none")]


def _figure_line(f: Figure) -> str:
    values = " ".join(f"{name}={getattr(f, name)}" for name in ("count", "total", "percent") if getattr(f, name) is not None)
    derived = f" (derived: {', '.join(f.derived)})" if f.derived else ""
    when = f"period {f.period[0]}-{f.period[1]}" if f.period else f"year {f.year if f.year is not None else '–'}"
    repeat = f"; repeat of {f.repeat_of}" if f.repeat_of else ""
    return (f"{f.id} {f.subject.value} {f.category.value} {values}{derived}; {when} ({f.year_source or '–'}), "
            f"unit {f.unit or '–'} ({f.unit_source or '–'}){repeat} «{f.evidence.text}»")
