"""Coverage beyond the seeds: the shape suite is broad, and distractors never come out as results."""

import json
from collections import defaultdict

import pytest

from extractor import evaluate as ev
from extractor import extract_file

from .conftest import GOLD, ROOT

SHAPE_GOLD = ev.gold_files(GOLD / "shapes")
FAMILIES = ["award", "target", "admission", "attendance", "congress", "discipline", "structure", "quota_rule"]


def test_the_suite_has_at_least_sixty_documents():
    assert len(SHAPE_GOLD) >= 60


def test_every_shape_has_three_variants():
    by_shape = defaultdict(list)
    for path in SHAPE_GOLD:
        if path.stem.startswith("s"):
            by_shape[path.stem.split("_")[0]].append(path)
    assert sorted(by_shape) == [f"s{i:02d}" for i in range(1, 15)]
    assert all(len(docs) >= 3 for docs in by_shape.values())


def _documents(family):
    return [p for p in SHAPE_GOLD if p.stem.startswith(f"d_{family}_")]


@pytest.mark.parametrize("family", FAMILIES)
def test_distractor_family_yields_no_result_figure(family):
    """In every document of the family, each extracted figure is a gold result (no distractor got
    through), and where the gold has no result the extractor reports none."""
    docs = _documents(family)
    assert len(docs) >= 2
    for path in docs:
        gold = json.loads(path.read_text(encoding="utf-8"))
        predicted = [f.model_dump(mode="json") for f in extract_file(ROOT / gold["source"]).figures]
        report = ev.Report()
        ev.score_document(path.stem, gold["figures"], predicted, report)
        assert report.overall.fp == 0, [m[2]["evidence"]["text"] for m in report.misses if m[1] == "fp"]
        if not gold["figures"]:
            assert predicted == []
