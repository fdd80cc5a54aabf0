"""A spaCy pipeline component: ``nlp.add_pipe("xeploai_figures")``.

It runs the extractor on ``doc.text`` and puts one span per figure into ``doc.spans["figures"]``,
labelled with the category, with the figure's fields as span attributes (``span._.subject``,
``span._.year``, ``span._.count`` …, and the whole figure as ``span._.figure``).

``spacy.blank("vi")`` needs pyvi, a word segmenter the extractor has no use for. Without it, use a
pipeline with spaCy's rule tokenizer, which splits "68,41%)." into "68,41", "%", ")", "." (``BLANK``):

    nlp = spacy.blank("xx")  # or, to keep nlp.lang == "vi":
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    nlp.add_pipe("xeploai_figures")

The Vietnamese tokenizer with ``use_pyvi = false`` (what spaCy's own error suggests) splits only at
spaces, so a figure's span would take in the commas and brackets around it: the component refuses it
and says what to write instead.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .pipeline import extract

SPAN_KEY = "figures"
BLANK = ('spacy.blank("xx"), or spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": '
         '"spacy.Tokenizer.v1"}}}) to keep the language "vi"')
FIELDS = ("figure_id", "subject", "category", "label", "year", "period", "unit", "unit_key", "count", "total",
          "percent", "percent_of", "percent_of_source", "change", "qualifier", "covers", "derived", "rules")


def _register_extensions() -> None:
    for name in FIELDS + ("figure",):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    if not Doc.has_extension("xeploai"):
        Doc.set_extension("xeploai", default=None)


def _check_tokenizer(nlp: Language) -> None:
    """Refuse the Vietnamese tokenizer without pyvi: it splits at spaces only ("2019," is one token)."""
    tokenizer = nlp.tokenizer
    if type(tokenizer).__name__ == "VietnameseTokenizer" and not getattr(tokenizer, "use_pyvi", True):
        raise ValueError("xeploai_figures: this pipeline's tokenizer (spaCy's Vietnamese one with use_pyvi = false) "
                         "splits only at spaces, so a figure's span would take in the punctuation around it. "
                         f"Make the pipeline with {BLANK}: neither needs pyvi.")


class FiguresComponent:
    """Figures as spans of ``doc.spans[span_key]``; see the module's docstring for a pipeline to add it to."""

    def __init__(self, nlp: Language, name: str, span_key: str):
        _check_tokenizer(nlp)
        _register_extensions()
        self.span_key = span_key

    def __call__(self, doc: Doc) -> Doc:
        document = extract(doc.text)
        spans = []
        for figure in document.figures:
            data = figure.model_dump(mode="json")
            span = doc.char_span(figure.evidence.start, figure.evidence.end, label=data["category"],
                                 alignment_mode="expand")
            if span is None:  # only whitespace: cannot happen for evidence, kept for safety of the contract
                continue
            span._.figure = data
            span._.figure_id = data["id"]
            for name in FIELDS[1:]:
                setattr(span._, name, data[name])
            spans.append(span)
        doc.spans[self.span_key] = spans
        doc._.xeploai = document.model_dump(mode="json", exclude={"figures"})
        return doc


@Language.factory("xeploai_figures", default_config={"span_key": SPAN_KEY})
def make_component(nlp: Language, name: str, span_key: str) -> FiguresComponent:
    return FiguresComponent(nlp, name, span_key)
