"""What ``xeploai check`` shows: each document's checks in plain words, or all of them as JSON.

The text is for a person: a title per kind of check that says what does not hold, the check's own
message with the numbers, and the figures it is about; errors and warnings by default, the notes
(information, such as the HTXSNV quota) and how the numbers of each group fit together with ``-v``,
errors alone with ``-q``. The JSON holds every check of every document whatever the verbosity; its
schema is in the README ("Checks as JSON") and a test validates real output against it.
"""

from __future__ import annotations

from collections import Counter

from .check import QUOTA_FROM, QUOTA_SHARE
from .models import Document

TITLES = {
    "percent_mismatch": "a percent does not fit the numbers it is a share of",
    "percent_unexplained": "a percent that none of the numbers given explains",
    "parts_mismatch": "the parts do not add up to the whole",
    "subset_exceeds_superset": "a part is larger than the whole it belongs to",
    "change_mismatch": "a change since an earlier year does not fit the two years' figures",
    "htxsnv_quota": f"more HTXSNV than the rule allows since {QUOTA_FROM} (at most {QUOTA_SHARE}% of HTTNV)",
}
SEVERITY_WORDS = {"error": "error", "warning": "warning", "info": "note"}
# what each nesting decision of a group means, when it holds and when it does not
NESTING_WORDS = {
    "levels_sum_to_rated": ("the levels add up to the number rated", "the levels do not add up to the number rated"),
    "HTXSNV_in_HTTNV": ("HTXSNV are counted within HTTNV", "HTXSNV are counted apart from HTTNV"),
    "TSVM_TIEU_BIEU_in_TSVM": ("the exemplary TSVM are counted within TSVM", "there are more exemplary TSVM than TSVM"),
}


def plural(count: int, word: str) -> str:
    """1 document, 2 documents."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def shown_severities(level: int) -> frozenset[str]:
    """The severities the text shows at a verbosity (-1 quiet, 0 normal, 1 verbose)."""
    if level < 0:
        return frozenset({"error"})
    return frozenset({"error", "warning", "info"}) if level > 0 else frozenset({"error", "warning"})


def counts(doc: Document) -> Counter:
    return Counter(c.severity for c in doc.checks)


def _tally(found: Counter) -> str:
    parts = [plural(found[severity], SEVERITY_WORDS[severity]) for severity in ("error", "warning", "info")
             if found[severity]]
    return ", ".join(parts) if parts else "no problem found"


def document_lines(name: str, doc: Document, level: int) -> list[str]:
    """The lines of one document: none at all when it shows nothing at this verbosity."""
    severities = shown_severities(level)
    checks = [c for c in doc.checks if c.severity in severities]
    if not checks and level < 1:
        return []
    figures = {f.id: f for f in doc.figures}
    lines = [f"{name}: {plural(len(doc.figures), 'figure')}; {_tally(counts(doc))}"]
    for c in checks:
        lines.append(f"  {SEVERITY_WORDS[c.severity]}: {TITLES[c.kind]}")
        lines.append(f"    {c.message}")
        for fid in c.figures:
            f = figures.get(fid)
            if f is not None:
                year = f" {f.year}" if f.year is not None else ""
                lines.append(f"      {fid} {f.subject.value} {f.category.value}{year}: «{f.evidence.text}»")
    if level > 0:
        lines.extend(_nesting_lines(doc))
    return lines


def _nesting_lines(doc: Document) -> list[str]:
    lines = []
    for group, decisions in doc.nesting.items():
        said = [NESTING_WORDS[key][0 if value else 1] for key, value in decisions.items()
                if value is not None and key in NESTING_WORDS]
        if said:
            lines.append(f"  how the figures of {group} fit together: " + "; ".join(said))
    return lines


def summary_line(documents: list[Document], unreadable: int, level: int) -> str:
    """"N documents, E errors, W warnings, I notes", and what was not read or not shown."""
    total = Counter()
    for doc in documents:
        total.update(counts(doc))
    line = (f"{plural(len(documents), 'document')}, {plural(total['error'], 'error')}, "
            f"{plural(total['warning'], 'warning')}, {plural(total['info'], 'note')}")
    if total["info"] and level < 1:
        line += " (notes are shown with -v)"
    if unreadable:
        line += f"; {plural(unreadable, 'file')} could not be read"
    return line


def as_json(results: list[tuple[str, Document]], unreadable: list[tuple[str, str]]) -> dict:
    """Every check of every document, and the files that could not be read (README: "Checks as JSON")."""
    documents = [_document_json(name, doc) for name, doc in results]
    return {
        "documents": documents,
        "unreadable": [{"path": path, "reason": reason} for path, reason in unreadable],
        "summary": {"documents": len(documents), "errors": sum(d["errors"] for d in documents),
                    "warnings": sum(d["warnings"] for d in documents), "notes": sum(d["notes"] for d in documents),
                    "unreadable": len(unreadable)},
    }


def _document_json(name: str, doc: Document) -> dict:
    figures = {f.id: f for f in doc.figures}
    found = counts(doc)
    checks = []
    for c in doc.checks:
        involved = [{"id": fid, "subject": f.subject.value, "category": f.category.value, "year": f.year,
                     "evidence": f.evidence.model_dump(mode="json")}
                    for fid in c.figures if (f := figures.get(fid)) is not None]
        checks.append({"kind": c.kind, "severity": c.severity, "title": TITLES[c.kind], "message": c.message,
                       "stated": c.stated, "expected": c.expected, "figures": involved})
    return {"path": name, "doc_id": doc.doc_id, "figures": len(doc.figures), "errors": found["error"],
            "warnings": found["warning"], "notes": found["info"], "checks": checks, "nesting": doc.nesting}
