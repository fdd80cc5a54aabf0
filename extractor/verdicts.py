"""Verdicts saved from the review page, turned into gold drafts (``xeploai annotate OUT --verdicts FILE``).

A reviewer marks figures of the page correct or wrong; the page saves each verdict with the figure's
document and id, its key fields and its evidence span as the page showed them. A verdict is applied
only to the figure of OUT that still has those fields and that span, so that an output extracted
again since the review (whose ids may now name other figures) is refused rather than mislabelled.

Each document with a verdict gets a draft (``"reviewed": false``): the figures marked correct, and
those not marked yet, listed as such; the figures marked wrong are left out and listed with their
notes. A verdict judges only what the extractor found, so a person still reads the article for the
figures it missed before setting ``"reviewed": true`` (gold/GUIDELINES.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from . import batch
from . import evaluate as ev
from .errors import InputError
from .models import Document, Evidence, Figure
from .outputs import read_outputs
from .review import KEY_FIELDS

GOLD_LEAVES_OUT = {"derived", "rules", "percent_of_source"}  # what the extractor explains, not what the text states
ABOUT = ("Drafted from the verdicts of the review page: 'figures' holds the figures marked correct and those "
         "not marked yet (listed in 'unmarked': check them against the article); the figures marked wrong are "
         "left out and listed in 'wrong'. A verdict says nothing of the figures the extractor missed: read the "
         "article for them (gold/GUIDELINES.md), then set \"reviewed\": true.")


class Verdict(BaseModel):
    """One figure as a reviewer judged it on the page."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    figure_id: str
    verdict: Literal["correct", "wrong"] | None = None  # None: a note without a verdict
    note: str = ""
    fields: dict[str, Any]
    evidence: Evidence


class VerdictsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    xeploai: Literal["verdicts"]
    version: Literal[1]
    verdicts: list[Verdict]


def read_verdicts(path: Path) -> list[Verdict]:
    """The verdicts of a file the review page saved, or InputError naming it and the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    try:
        found = VerdictsFile.model_validate_json(data).verdicts
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise InputError(str(path), f"not a verdicts file saved by the review page ({detail})") from None
    seen: set[tuple[str, str]] = set()
    for v in found:
        if (v.doc_id, v.figure_id) in seen:
            raise InputError(str(path), f"figure {v.figure_id!r} of {v.doc_id!r} has two verdicts")
        seen.add((v.doc_id, v.figure_id))
    if not found:
        raise InputError(str(path), "holds no verdict (mark figures on the review page, then save them)")
    return found


def gold_figure(figure: Figure) -> dict:
    """A figure as a gold file states it."""
    return figure.model_dump(mode="json", exclude=GOLD_LEAVES_OUT)


def draft_of(doc: Document, source: str | None, figures: list[Figure] | None = None,
             verdicts: dict | None = None) -> dict:
    """A gold draft of ``doc`` with ``figures`` (all of its figures by default)."""
    draft = {"doc_id": doc.doc_id, "source": source, "reviewed": False, "year": doc.year,
             "reporting_unit": doc.reporting_unit}
    if verdicts is not None:
        draft["verdicts"] = verdicts
    draft["figures"] = [gold_figure(f) for f in (doc.figures if figures is None else figures)]
    return draft


@dataclass
class Draft:
    path: Path  # the gold file to write
    content: dict
    correct: int = 0
    unmarked: int = 0
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (figure id, note)


def drafts(verdicts_file: Path, out: Path, gold_dir: Path) -> list[Draft]:
    """The draft of each document of OUT that ``verdicts_file`` judges, at its path in OUT below
    ``gold_dir``. InputError when a verdict names a document not in OUT, or a figure it does not hold
    as it was reviewed."""
    given = read_verdicts(verdicts_file)
    outputs = _outputs(out, verdicts_file, {v.doc_id for v in given})
    sources = batch.recorded_sources(out)
    by_doc: dict[str, dict[str, Verdict]] = {}
    for v in given:
        by_doc.setdefault(v.doc_id, {})[v.figure_id] = v
    found = []
    for doc_id, judged in by_doc.items():
        path, doc = outputs[doc_id]
        _check_figures(verdicts_file, path, doc, judged)
        name = path.relative_to(out).as_posix()
        target = gold_dir / name
        entry = sources.get(name)
        source = ev.gold_source(Path(entry["input"]), target) if entry else doc.source
        found.append(_draft(target, doc, source, judged, verdicts_file.name))
    return sorted(found, key=lambda d: d.path)


def _outputs(out: Path, verdicts_file: Path, wanted: set[str]) -> dict[str, tuple[Path, Document]]:
    """The output documents of OUT by doc_id; InputError for a doc_id judged that OUT does not hold."""
    paths = [Path(job.path) for job in batch.jobs_for([out], suffixes=frozenset({".json"}))]
    found = read_outputs(paths)
    by_id: dict[str, tuple[Path, Document]] = {}
    for path, doc in found.documents:
        by_id.setdefault(doc.doc_id, (path, doc))
    missing = sorted(wanted - set(by_id))
    if missing:
        unreadable = f"; {len(found.invalid)} JSON file(s) there are no valid output: {found.invalid[0]}" \
            if found.invalid else ""
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError(str(verdicts_file), f"doc_id {missing[0]!r}{more} is not in {batch.shown(out)}{unreadable}")
    return by_id


def _check_figures(verdicts_file: Path, path: Path, doc: Document, judged: dict[str, Verdict]) -> None:
    """Every figure judged is in ``doc`` with the fields and span it was reviewed with."""
    figures = {f.id: f for f in doc.figures}
    for figure_id, v in judged.items():
        figure = figures.get(figure_id)
        if figure is None:
            raise InputError(str(verdicts_file), f"{v.doc_id}: figure {figure_id!r} is not in {batch.shown(path)}")
        now = figure.model_dump(mode="json")
        differs = [name for name in KEY_FIELDS if now.get(name) != v.fields.get(name)]
        if figure.evidence != v.evidence:
            differs.append("evidence")
        if differs:
            raise InputError(str(verdicts_file), f"{v.doc_id}: figure {figure_id} of {batch.shown(path)} is not the "
                                                 f"one reviewed (its {', '.join(differs)} differ; extracted again "
                                                 "since the review? make the page again and review it)")


def _draft(target: Path, doc: Document, source: str | None, judged: dict[str, Verdict], file_name: str) -> Draft:
    kept, correct, unmarked, wrong, notes = [], [], [], [], {}
    for f in doc.figures:
        v = judged.get(f.id)
        if v is not None and v.note:
            notes[f.id] = v.note
        if v is not None and v.verdict == "wrong":
            wrong.append({**gold_figure(f), "note": v.note})
            continue
        kept.append(f)
        (correct if v is not None and v.verdict == "correct" else unmarked).append(f.id)
    about = {"file": file_name, "about": ABOUT, "correct": correct, "unmarked": unmarked, "wrong": wrong,
             "notes": notes}
    return Draft(target, draft_of(doc, source, kept, about), len(correct), len(unmarked),
                 [(w["id"], w["note"]) for w in wrong])
