"""Evaluate predicted figures against hand-annotated gold.

A predicted figure matches a gold figure when subject, category and year (or, for a statement over
several years, the period) are equal and every value the gold states is equal: count and total
exactly, and percent (within 0.005) where no count is given.
Each gold figure matches at most one prediction; among candidates the one whose evidence overlaps
the gold evidence most is taken. Values listed in a prediction's ``derived`` never count as stated.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .load import SUFFIXES, load
from .normalise import normalise
from .pipeline import extract, extract_file
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


GATE_SCORES = ("f1", "precision", "recall", "recall_with_percent", "unit_accuracy", "percent_of_accuracy",
               "change_accuracy", "repeat_accuracy", "document_year_accuracy", "published_accuracy")


def scores(report: Report) -> dict[str, float]:
    """The scores a gate can hold, by the names a gate file uses (``GATE_SCORES``)."""
    a = report.attributes
    return {
        "f1": report.overall.f1, "precision": report.overall.precision, "recall": report.overall.recall,
        "recall_with_percent": report.with_percent.recall, "unit_accuracy": a["unit"].accuracy,
        "percent_of_accuracy": a["percent_of"].accuracy, "change_accuracy": a["change"].accuracy,
        "repeat_accuracy": a["repeat_of"].accuracy, "document_year_accuracy": a["document_year"].accuracy,
        "published_accuracy": a["published"].accuracy,
    }


def gate_failures(name: str, report: Report, gate: dict[str, float]) -> list[str]:
    """The gate's minimum scores that ``report`` falls below, in words."""
    values = scores(report)
    unknown = sorted(set(gate) - set(values))
    if unknown:
        raise GoldError(f"gate for {name}: unknown score(s) {', '.join(unknown)}; known: {', '.join(GATE_SCORES)}")
    return [f"{name}: {key} {values[key]:.4f} is below the gate {minimum}"
            for key, minimum in gate.items() if values[key] + 1e-9 < minimum]


# --- running an evaluation: suites, gate file, sources ---------------------------------------------------

def suites(gold_dir: Path) -> list[tuple[str, Path]]:
    """The gold folder and each sub-folder of it that holds gold files, by suite name ("gold",
    "gold/shapes")."""
    if not gold_dir.is_dir():
        return []
    name = gold_dir.absolute().name or "gold"
    subs = [sub for sub in sorted(gold_dir.iterdir()) if sub.is_dir() and gold_files(sub)]
    return [(name, gold_dir)] + [(f"{name}/{sub.name}", sub) for sub in subs]


def read_gate(path: Path, suite_names: list[str]) -> dict[str, dict[str, float]]:
    """The gate file, {suite: {score: minimum}}, checked against the suites evaluated and the scores
    there are: a misspelt name is an error naming it and the valid ones, never a gate that holds nothing."""
    try:
        gate = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: not a readable gate file ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(gate, dict) or not all(isinstance(v, dict) for v in gate.values()):
        raise GoldError(f"{path}: a gate file maps each suite to its minimum scores, e.g. "
                        '{"gold": {"f1": 0.95}}')
    for suite, minimums in gate.items():
        if suite not in suite_names:
            raise GoldError(f"{path}: unknown suite {suite!r}; the suites evaluated are {', '.join(suite_names)}")
        for score, minimum in minimums.items():
            if score not in GATE_SCORES:
                raise GoldError(f"{path}: {suite}: unknown score {score!r}; the scores are {', '.join(GATE_SCORES)}")
            if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or minimum < 0:
                raise GoldError(f"{path}: {suite}: {score} must be a number from 0 to 1, not {json.dumps(minimum)}")
    return gate


def gold_source(article: Path, gold_file: Path) -> str:
    """The ``source`` a gold file records for its article: the article's path below the deepest folder
    it shares with the gold file ("corpus/a.txt" for gold/a.json), found again from the gold file's
    folder whatever folder the evaluation runs in; absolute when they share no folder but the root."""
    article, folder = article.absolute(), gold_file.absolute().parent
    common = Path(os.path.commonpath([article, folder]))
    if common == Path(common.anchor):
        return article.as_posix()
    return article.relative_to(common).as_posix()


def source_path(gold_path: Path, gold: dict, sources: Path | None = None) -> Path:
    """The article of a gold file. With ``sources`` (a folder of articles): its ``source`` below that
    folder, or the file there of its name, or of its doc_id with any suffix xeploai reads. Without:
    its ``source`` as an absolute path, or below the gold file's folder or the nearest folder above
    it where it is found."""
    source = gold.get("source")
    if sources is not None:
        doc_id = gold.get("doc_id") or gold_path.stem
        named = [sources / source, sources / Path(source).name] if source else []
        candidates = named + [sources / f"{doc_id}{suffix}" for suffix in sorted(SUFFIXES)]
        where = f"in {sources}"
    elif not source:
        raise GoldError(f"{gold_path}: gold has no 'source' to extract from; pass --sources DIR or --pred OUT")
    elif Path(source).is_absolute():
        candidates, where = [Path(source)], "there"
    else:
        folder = gold_path.absolute().parent
        candidates, where = [f / source for f in (folder, *folder.parents)], f"in {folder} or a folder above it"
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        shown = f"its source {source!r}" if source else f"no article for {gold.get('doc_id') or gold_path.stem}"
        raise GoldError(f"{gold_path}: {shown} was not found {where}; pass --sources DIR (the folder of the "
                        "articles) or --pred OUT (extracted documents)")
    return found


def _predictions(gold_docs: list[tuple[Path, dict]], pred_dir: Path | None, sources: Path | None,
                 strip_diacritics: bool = False) -> dict[str, dict]:
    """The predicted document of each gold document, as JSON: read from ``pred_dir``, or extracted now."""
    preds: dict[str, dict] = {}
    for path, gold in gold_docs:
        doc_id = gold.get("doc_id") or path.stem
        if pred_dir is not None:
            preds[doc_id] = _prediction(pred_dir / f"{doc_id}.json", doc_id)
        elif strip_diacritics:  # the same article typed without diacritics
            preds[doc_id] = extract(normalise(load(source_path(path, gold, sources)).text).plain,
                                    doc_id).model_dump(mode="json")
        else:
            preds[doc_id] = extract_file(source_path(path, gold, sources)).model_dump(mode="json")
    return preds


def _prediction(path: Path, doc_id: str) -> dict:
    if not path.is_file():
        raise GoldError(f"{path}: no prediction for gold document {doc_id}")
    try:
        pred = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: not a readable prediction ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(pred, dict) or not isinstance(pred.get("figures", []), list):
        raise GoldError(f"{path}: not an output document (expected an object with a 'figures' list)")
    return pred


def run_evaluation(gold_dir: Path, pred_dir: Path | None = None, sources: Path | None = None,
                   strip_diacritics: bool = False) -> Report:
    """Score the gold files of ``gold_dir`` (one suite) against the documents of ``pred_dir``, or
    against the extractor run now on their articles (found as ``source_path`` says)."""
    files = gold_files(gold_dir)
    if not files:
        raise GoldError(f"{gold_dir}: no gold files (*.json)")
    gold_docs = [(p, load_gold(p)) for p in files]
    preds = _predictions(gold_docs, pred_dir, sources, strip_diacritics)
    report = Report()
    for path, gold in gold_docs:
        doc_id = gold.get("doc_id") or path.stem
        score_document(doc_id, gold["figures"], preds[doc_id].get("figures", []), report)
        score_document_fields(gold, preds[doc_id], report)
    return report
