"""Evaluate predicted figures against hand-annotated gold.

A predicted figure matches a gold figure when subject, category and year (or, for a statement over
several years, the period) are equal and every value the gold states is equal: count and total
exactly, and percent (within 0.005) where no count is given.
Each gold figure matches at most one prediction; among candidates the one whose evidence overlaps
the gold evidence most is taken. Values listed in a prediction's ``derived`` never count as stated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .units import same_unit

PERCENT_TOLERANCE = 0.005


class GoldError(ValueError):
    """A gold file is unreadable, malformed or not reviewed."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Attribute:
    right: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Report:
    overall: Counts = field(default_factory=Counts)
    with_percent: Counts = field(default_factory=Counts)
    per_document: dict[str, Counts] = field(default_factory=dict)
    per_category: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    attributes: dict[str, Attribute] = field(default_factory=lambda: {
        "unit": Attribute(), "percent_of": Attribute(), "change": Attribute(), "repeat_of": Attribute(),
        "document_year": Attribute(), "published": Attribute()})
    misses: list[tuple[str, str, dict]] = field(default_factory=list)  # (doc, "fn"|"fp", figure)
    # matched pairs that disagree on an attribute: (doc, attribute, gold figure, predicted figure)
    wrong_attributes: list[tuple[str, str, dict, dict]] = field(default_factory=list)

    def as_dict(self) -> dict:
        def c(x: Counts) -> dict:
            return {"tp": x.tp, "fp": x.fp, "fn": x.fn, "precision": round(x.precision, 4),
                    "recall": round(x.recall, 4), "f1": round(x.f1, 4)}
        return {
            "overall": c(self.overall),
            "recall_with_percent": round(self.with_percent.recall, 4),
            "attributes": {k: {"accuracy": round(v.accuracy, 4), "pairs": v.total} for k, v in self.attributes.items()},
            "per_document": {k: c(v) for k, v in sorted(self.per_document.items())},
            "per_category": {k: c(v) for k, v in sorted(self.per_category.items())},
        }


def _stated(figure: dict, name: str):
    return None if name in (figure.get("derived") or []) else figure.get(name)


def _matches(gold: dict, pred: dict) -> bool:
    if (gold["subject"], gold["category"], gold.get("year")) != (pred["subject"], pred["category"], pred.get("year")):
        return False
    if gold.get("year") is None and list(gold.get("period") or []) != list(pred.get("period") or []):
        return False  # a statement over several years matches only over the same years
    for name in ("count", "total"):
        if gold.get(name) is not None and gold[name] != _stated(pred, name):
            return False
    if gold.get("count") is None and gold.get("percent") is not None:
        stated = _stated(pred, "percent")
        if stated is None or abs(stated - gold["percent"]) > PERCENT_TOLERANCE:
            return False
    return True


def _overlap(a: dict, b: dict) -> int:
    ea, eb = a.get("evidence") or {}, b.get("evidence") or {}
    if not ea or not eb:
        return 0
    return max(0, min(ea["end"], eb["end"]) - max(ea["start"], eb["start"]))


def _same_change(gold: dict | None, pred: dict | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return (abs(gold["value"] - pred["value"]) <= PERCENT_TOLERANCE and gold["unit"] == pred["unit"]
            and gold.get("since") == pred.get("since"))


def score_document(doc_id: str, gold: list[dict], pred: list[dict], report: Report) -> None:
    counts = Counts()
    unmatched = list(range(len(pred)))
    matched: dict[str, dict] = {}  # gold id → the prediction it matched
    for g in gold:
        candidates = [i for i in unmatched if _matches(g, pred[i])]
        cat = report.per_category[g["category"]]
        if not candidates:
            counts.fn += 1
            cat.fn += 1
            if g.get("percent") is not None:
                report.with_percent.fn += 1
            report.misses.append((doc_id, "fn", g))
            continue
        best = max(candidates, key=lambda i: _overlap(g, pred[i]))
        unmatched.remove(best)
        p = pred[best]
        matched[g.get("id")] = p
        counts.tp += 1
        cat.tp += 1
        if g.get("percent") is not None:
            report.with_percent.tp += 1
        checks = {"unit": same_unit(g.get("unit"), p.get("unit"))}
        if g.get("percent") is not None:
            checks["percent_of"] = g.get("percent_of") == p.get("percent_of")
        if g.get("change") is not None or p.get("change") is not None:
            checks["change"] = _same_change(g.get("change"), p.get("change"))
        for name, right in checks.items():
            report.attributes[name].total += 1
            report.attributes[name].right += right
            if not right:
                report.wrong_attributes.append((doc_id, name, g, p))
    _score_repeats(doc_id, gold, matched, report)
    for i in unmatched:
        counts.fp += 1
        report.per_category[pred[i]["category"]].fp += 1
        report.misses.append((doc_id, "fp", pred[i]))
    report.per_document[doc_id] = counts
    report.overall.add(counts)


def _score_repeats(doc_id: str, gold: list[dict], matched: dict[str, dict], report: Report) -> None:
    """A matched figure that either side marks as a repeat: right when the prediction names, as the first
    statement, the prediction matched to the gold's first statement. Only gold that annotates repeats
    (its figures carry ``repeat_of``, null where none) is scored for them."""
    if not any("repeat_of" in g for g in gold):
        return
    for g in gold:
        p = matched.get(g.get("id"))
        if p is None or (g.get("repeat_of") is None and p.get("repeat_of") is None):
            continue
        original = matched.get(g.get("repeat_of")) if g.get("repeat_of") is not None else None
        right = original is not None and p.get("repeat_of") == original.get("id")
        report.attributes["repeat_of"].total += 1
        report.attributes["repeat_of"].right += right
        if not right:
            report.wrong_attributes.append((doc_id, "repeat_of", g, p))


def score_document_fields(gold: dict, pred: dict, report: Report) -> None:
    """The document's year and publication date, where the gold states them (``published`` may be null)."""
    if gold.get("year") is not None:
        report.attributes["document_year"].total += 1
        report.attributes["document_year"].right += gold["year"] == pred.get("year")
    if "published" in gold:
        report.attributes["published"].total += 1
        report.attributes["published"].right += gold["published"] == pred.get("published")


def load_gold(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: cannot read gold: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("figures"), list):
        raise GoldError(f"{path}: not a gold document (expected an object with a 'figures' list)")
    if data.get("reviewed") is not True:
        raise GoldError(f"{path}: not reviewed ('reviewed' is not true); review the draft and set it, "
                        "see gold/GUIDELINES.md")
    return data


def gold_files(directory: Path) -> list[Path]:
    """The gold files directly in ``directory`` (sub-folders are separate suites)."""
    return sorted(p for p in directory.glob("*.json") if p.name != "gate.json")


def gate_failures(name: str, report: Report, gate: dict[str, float]) -> list[str]:
    """The gate's minimum scores that ``report`` falls below, in words."""
    values = {
        "f1": report.overall.f1, "precision": report.overall.precision, "recall": report.overall.recall,
        "recall_with_percent": report.with_percent.recall,
        "unit_accuracy": report.attributes["unit"].accuracy,
        "percent_of_accuracy": report.attributes["percent_of"].accuracy,
        "change_accuracy": report.attributes["change"].accuracy,
        "repeat_accuracy": report.attributes["repeat_of"].accuracy,
        "document_year_accuracy": report.attributes["document_year"].accuracy,
        "published_accuracy": report.attributes["published"].accuracy,
    }
    unknown = sorted(set(gate) - set(values))
    if unknown:
        raise GoldError(f"gate for {name}: unknown score(s) {', '.join(unknown)}; known: {', '.join(sorted(values))}")
    return [f"{name}: {key} {values[key]:.4f} is below the gate {minimum}"
            for key, minimum in gate.items() if values[key] + 1e-9 < minimum]
