"""The pipeline: load → normalise → segment → numbers/match → resolve → check → emit."""

from __future__ import annotations

import bisect
from pathlib import Path

from . import context, emit
from .check import check
from .load import DEFAULT_MAX_BYTES, load
from .match import find_mentions
from .models import Document
from .normalise import normalise
from .patterns import Patterns
from .patterns import load as load_patterns
from .resolve import Context, Resolver
from .page import read_page
from .segment import paragraphs, segment

VERSION = "0.1.0"


def extract(text: str, doc_id: str | None = None, *, source: str | None = None,
            patterns: Patterns | None = None) -> Document:
    """Every rating and population figure that ``text`` states, grounded in offsets of ``text``."""
    patterns = patterns or load_patterns()
    norm = normalise(text)
    spans = paragraphs(norm.text)
    sentences = segment(norm.text, spans)
    page = read_page(norm.text, norm.folded, spans, patterns)
    mentions = find_mentions(norm, sentences, patterns)
    published = context.published(page)
    decision = context.decide_year(norm, mentions, page, published, patterns)
    starts = [start for start, _ in spans]
    ctx = Context(
        reporting_unit=context.reporting_unit(norm, mentions.units, page,
                                              lambda at: bisect.bisect_right(starts, at) - 1, patterns),
        year=decision.year,
        page=page,
    )
    drafts = Resolver(mentions, norm.folded, norm.text, patterns, ctx).run()
    findings, nesting = check(drafts)
    return Document(
        doc_id=doc_id or "document",
        source=source,
        title=context.title(norm.text, page),
        published=published,
        year=ctx.year,
        year_decision=emit.year_decision(decision, norm),
        reporting_unit=ctx.reporting_unit,
        extractor_version=VERSION,
        figures=emit.figures(drafts, norm),
        checks=emit.checks(findings, drafts),
        nesting=nesting,
        warnings=emit.warnings(mentions.warnings),
    )


def extract_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, patterns: Patterns | None = None) -> Document:
    """Extract from a .txt, .html, .docx or .pdf file; raises ``InputError`` naming the file and the
    reason when it cannot be read."""
    loaded = load(path, max_bytes=max_bytes)
    doc = extract(loaded.text, doc_id=loaded.path.stem, source=str(path), patterns=patterns)
    return doc.model_copy(update={
        "input_sha256": loaded.sha256, "format": loaded.format, "encoding": loaded.encoding,
        "text": loaded.text if loaded.format != "text" else None,
        "title": loaded.title or doc.title, "published": loaded.published or doc.published,
    })
