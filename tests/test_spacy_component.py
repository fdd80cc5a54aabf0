"""The spaCy component puts the extractor's figures into doc.spans, figure for figure."""

import pytest
import spacy

from extractor import extract

from .conftest import SEEDS


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    nlp.add_pipe("xeploai_figures")  # found through the package's spacy_factories entry point
    return nlp


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_spans_match_the_extractor(nlp, path):
    text = path.read_text(encoding="utf-8")
    figures = extract(text).figures
    doc = nlp(text)
    spans = doc.spans["figures"]
    assert len(spans) == len(figures)
    for span, figure in zip(spans, figures):
        assert span._.figure_id == figure.id
        assert span.label_ == figure.category.value
        assert (span._.subject, span._.year, span._.count, span._.total, span._.percent) == (
            figure.subject.value, figure.year, figure.count, figure.total, figure.percent)
        assert span.start_char <= figure.evidence.start and figure.evidence.end <= span.end_char
        assert figure.evidence.text.strip() in span.text


def test_document_fields_and_no_pyvi(nlp):
    doc = nlp("Năm 2019 có 9 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ.")
    assert doc._.xeploai["year"] == 2019
    assert [s._.category for s in doc.spans["figures"]] == ["HTXSNV"]
    assert "pyvi" not in {m.split(".")[0] for m in __import__("sys").modules}
