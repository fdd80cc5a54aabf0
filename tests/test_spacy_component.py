"""The spaCy component puts the extractor's figures into doc.spans, figure for figure."""

import importlib.util
import sys

import pytest
import spacy

from extractor import extract

from .conftest import ROOT, SEEDS


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
    assert "pyvi" not in {m.split(".")[0] for m in sys.modules}


def _blank_lines(text):
    """The lines that make a pipeline in a text: `nlp = spacy.blank(…)`, without their comment."""
    return [line.split("  #")[0].strip() for line in text.splitlines() if line.strip().startswith("nlp = spacy.blank(")]


def test_spacy_blank_vi_alone_needs_pyvi():
    """What a spaCy user types first; it is why the docs and the error below give other lines."""
    if importlib.util.find_spec("pyvi") is not None:
        pytest.skip("pyvi is installed here, so spacy.blank('vi') works")
    with pytest.raises(ImportError, match="(?i)pyvi"):
        spacy.blank("vi")


def test_the_documented_blank_lines_work_offline_without_pyvi():
    from extractor import spacy_component

    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("**spaCy**")[1].split("**Gold drafts.**")[0]
    lines = _blank_lines(spacy_component.__doc__) + _blank_lines(readme)
    assert len(lines) >= 3 and any('spacy.blank("xx")' in line for line in lines)
    for line in lines:
        scope = {"spacy": spacy}
        exec(line, scope)  # the docs' own line, as a user pastes it
        nlp = scope["nlp"]
        nlp.add_pipe("xeploai_figures")
        doc = nlp("Năm 2019 có 9 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ (chiếm 68,41%).")
        (span,) = doc.spans["figures"]
        assert span.text.endswith("68,41%)"), (line, span.text)
    assert "pyvi" not in {m.split(".")[0] for m in sys.modules}


def test_the_space_only_tokenizer_is_refused_with_the_working_line():
    """spaCy's message says to set use_pyvi = false; that tokenizer splits at spaces only."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    with pytest.raises(ValueError) as caught:
        nlp.add_pipe("xeploai_figures")
    message = str(caught.value)
    assert 'spacy.blank("xx")' in message and '"@tokenizers": "spacy.Tokenizer.v1"' in message
