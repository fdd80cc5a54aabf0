"""Evaluation: matching semantics, the gold set's own checks, and the CI gate."""

import json

import pytest

from extractor import evaluate as ev
from extractor.cli import main, run_evaluation

from .conftest import GOLD, ROOT

GATE = json.loads((GOLD / "gate.json").read_text(encoding="utf-8"))


def fig(**kw):
    base = {"subject": "TCCSD", "category": "HTTNV", "year": 2017, "count": None, "total": None, "percent": None,
            "evidence": {"start": 0, "end": 10, "text": "x" * 10}}
    base.update(kw)
    return base


def score(gold, pred):
    report = ev.Report()
    ev.score_document("d", gold, pred, report)
    return report.overall


def test_match_needs_subject_category_year_and_stated_values():
    assert score([fig(count=5)], [fig(count=5)]).tp == 1
    assert score([fig(count=5)], [fig(count=6)]).tp == 0
    assert score([fig(count=5)], [fig(count=5, year=2016)]).tp == 0
    assert score([fig(count=5)], [fig(count=5, subject="CHI_BO")]).tp == 0
    assert score([fig(count=5, total=9)], [fig(count=5)]).tp == 0


def test_percent_counts_only_where_no_count_is_given():
    assert score([fig(percent=77.5)], [fig(percent=77.504)]).tp == 1
    assert score([fig(percent=77.5)], [fig(percent=77.51)]).tp == 0
    assert score([fig(count=5, percent=77.5)], [fig(count=5, percent=70.0)]).tp == 1


def test_derived_values_never_count_as_stated():
    assert score([fig(count=131)], [fig(count=131, derived=["count"])]).tp == 0
    assert score([fig(percent=23.64)], [fig(percent=23.64, derived=["percent"])]).tp == 0


def test_each_gold_figure_matches_once():
    counts = score([fig(count=5)], [fig(count=5), fig(count=5)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)


def test_unreviewed_gold_is_refused(tmp_path):
    draft = tmp_path / "doc.json"
    draft.write_text(json.dumps({"doc_id": "doc", "reviewed": False, "figures": []}), encoding="utf-8")
    with pytest.raises(ev.GoldError, match="not reviewed"):
        ev.load_gold(draft)


@pytest.mark.parametrize("path", ev.gold_files(GOLD) + ev.gold_files(GOLD / "shapes"), ids=lambda p: p.stem)
def test_gold_files_are_consistent(path):
    """Gold evidence is exact on the article, and the file is reviewed and well-formed."""
    gold = ev.load_gold(path)
    text = (ROOT / gold["source"]).read_text(encoding="utf-8")
    for f in gold["figures"]:
        e = f["evidence"]
        assert text[e["start"]:e["end"]] == e["text"], f"{path.name} {f['id']}"


@pytest.mark.parametrize("suite", sorted(GATE))
def test_scores_meet_the_gate(suite):
    assert ev.gate_failures(suite, run_evaluation(ROOT / suite), GATE[suite]) == []


def test_cli_gate_fails_below_threshold(tmp_path, capsys):
    gate = tmp_path / "gate.json"
    gate.write_text(json.dumps({"gold": {"f1": 1.01}}), encoding="utf-8")
    assert main(["evaluate", "--gold", str(GOLD), "--gate", str(gate)]) == 1
    assert "gate failed" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [[], ["--show-errors"], ["--verbose", "--show-errors"], ["--json"]])
def test_a_gate_fails_whatever_is_shown(tmp_path, capsys, flags):
    """--show-errors printed each wrong attribute under a loop variable that took the suite's name, so
    the gate was then looked up for "unit" and never failed."""
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    figure = fig(count=12, unit="Đảng bộ xã A", evidence={"start": 0, "end": 5, "text": "12 tổ"})
    (gold / "d.json").write_text(json.dumps({"doc_id": "d", "reviewed": True, "source": "x.txt",
                                             "figures": [{"id": "f1", **figure}]}), encoding="utf-8")
    (pred / "d.json").write_text(json.dumps({"doc_id": "d", "figures": [{"id": "f1", **figure, "unit": "Đảng bộ xã B"}]}),
                                 encoding="utf-8")
    gate = tmp_path / "gate.json"
    gate.write_text(json.dumps({"gold": {"unit_accuracy": 0.99}}), encoding="utf-8")
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred), "--gate", str(gate), *flags]) == 1
    assert "gate failed" in capsys.readouterr().err
