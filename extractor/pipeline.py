"""The pipeline: load → normalise → segment → numbers/match → resolve → check → emit."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import admin, context, emit
from .check import check
from .load import DEFAULT_MAX_BYTES, load
from .match import Mentions, find_mentions
from .models import Document
from .normalise import Normalised, normalise
from .patterns import Patterns, pattern_dir
from .patterns import load as load_patterns
from .page import Page, read_page
from .resolve import Attempt, Context, Draft, Resolver
from .segment import paragraphs, segment

VERSION = "0.1.0"


def _build() -> str:
    """A hash of what decides the output: the version, the extractor's code and the pattern data in use.
    A re-run keeps an output only when it was made by the same build."""
    digest = hashlib.sha256(VERSION.encode())
    folders = [(Path(__file__).parent, "*.py"), (pattern_dir(), "*.yaml")]
    for folder, pattern in folders:
        for path in sorted(folder.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


BUILD = _build()


@dataclass
class Run:
    """What each stage made of one text: the document, and the stages' own results for ``explain``."""

    document: Document
    norm: Normalised
    page: Page
    mentions: Mentions
    decision: context.YearDecision
    drafts: list[Draft]
    trace: list[Attempt] | None


def run(text: str, doc_id: str | None = None, *, source: str | None = None, patterns: Patterns | None = None,
        trace: bool = False, units: Sequence[tuple[int, int]] = ()) -> Run:
    """The pipeline over ``text``; with ``trace``, every shape tried is recorded with its outcome.
    ``units`` are spans of ``text`` known to name a unit (the row labels of a table)."""
    patterns = patterns or load_patterns()
    norm = normalise(text)
    spans = paragraphs(norm.text)
    sentences = segment(norm.text, spans, patterns)
    page = read_page(norm.text, norm.folded, spans, patterns)
    mentions = find_mentions(norm, sentences, patterns, norm.from_original(units))
    dated = context.publication_date(page)
    published = dated.iso() if dated is not None else None
    decision = context.decide_year(norm, mentions, page, dated, patterns)
    starts = [start for start, _ in spans]

    def paragraph_of(at: int) -> int:
        return bisect.bisect_right(starts, at) - 1

    ctx = Context(
        reporting_unit=context.reporting_unit(norm, mentions.units, page, paragraph_of, patterns),
        year=decision.year,
        page=page,
    )
    issued = bool(context.header_units(mentions.units, page, paragraph_of))
    attempts: list[Attempt] | None = [] if trace else None
    drafts = Resolver(mentions, norm.folded, norm.text, patterns, ctx, attempts).run()
    checked, findings, nesting = check(drafts, patterns)
    linker = admin.Linker(norm, page, ctx.reporting_unit, ctx.year, patterns)
    document = Document(
        doc_id=doc_id or "document",
        source=source,
        title=context.title(norm.text, page),
        published=published,
        year=ctx.year,
        year_decision=emit.year_decision(decision, norm),
        reporting_unit=ctx.reporting_unit,
        extractor_version=VERSION,
        extractor_build=BUILD,
        figures=emit.figures(checked, norm, patterns, linker.link),
        checks=emit.checks(findings, checked),
        nesting=nesting,
        warnings=emit.warnings(mentions.warnings + linker.warnings),
        report_header=context.report_header(norm, page, ctx.reporting_unit, issued, patterns),
        province=linker.province,
        reporting_unit_admin=linker.reporting,
        admin_data=linker.data,
    )
    return Run(document, norm, page, mentions, decision, drafts, attempts)


def extract(text: str, doc_id: str | None = None, *, source: str | None = None,
            patterns: Patterns | None = None, units: Sequence[tuple[int, int]] = ()) -> Document:
    """Every rating and population figure that ``text`` states, grounded in offsets of ``text``;
    ``units`` are spans of ``text`` known to name a unit (the row labels of a table)."""
    return run(text, doc_id, source=source, patterns=patterns, units=units).document


def extract_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, patterns: Patterns | None = None) -> Document:
    """Extract from a .txt, .html, .docx or .pdf file; raises ``InputError`` naming the file and the
    reason when it cannot be read."""
    from .fetch import url_of  # fetch needs the pipeline's version

    loaded = load(path, max_bytes=max_bytes)
    doc = extract(loaded.text, doc_id=loaded.path.stem, source=str(path), patterns=patterns, units=loaded.units)
    return doc.model_copy(update={
        "input_sha256": loaded.sha256, "url": url_of(loaded.path), "format": loaded.format, "encoding": loaded.encoding,
        "text": loaded.text if loaded.format != "text" else None,
        "ocr": loaded.ocr,
        "title": loaded.title or doc.title, "published": loaded.published or doc.published,
    })
