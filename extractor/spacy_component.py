"""A spaCy pipeline component: ``nlp.add_pipe("xeploai_figures")``.

It runs the extractor on ``doc.text`` and puts one span per figure into ``doc.spans["figures"]``,
labelled with the category, with the figure's fields as span attributes (``span._.subject``,
``span._.year``, ``span._.count`` …, and the whole figure as ``span._.figure``). Use it on a blank
Vietnamese pipeline with the rule tokenizer, which needs no pyvi:

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    nlp.add_pipe("xeploai_figures")
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .pipeline import extract

SPAN_KEY = "figures"
FIELDS = ("figure_id", "subject", "category", "label", "year", "period", "unit", "unit_key", "count", "total",
          "percent", "percent_of", "percent_of_source", "change", "qualifier", "covers", "derived", "rules")


def _register_extensions() -> None:
    for name in FIELDS + ("figure",):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    if not Doc.has_extension("xeploai"):
        Doc.set_extension("xeploai", default=None)


class FiguresComponent:
    def __init__(self, nlp: Language, name: str, span_key: str):
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
