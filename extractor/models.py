"""The output contract: one Document per input, each stated figure a grounded Figure.

Field and code names are fixed (gold files, tests and downstream users rely on them).
New fields may be added; renaming one is a breaking change.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Subject(str, Enum):
    """Who is rated."""

    TCCSD = "TCCSD"  # tổ chức cơ sở đảng (đảng bộ cơ sở or chi bộ cơ sở)
    CHI_BO = "CHI_BO"  # chi bộ trực thuộc đảng ủy cơ sở
    DANG_VIEN = "DANG_VIEN"  # đảng viên
    TAP_THE = "TAP_THE"  # tập thể lãnh đạo, quản lý; cấp ủy; ban thường vụ
    CAN_BO = "CAN_BO"  # cán bộ lãnh đạo, quản lý (individuals)
    DANG_BO_CAP_TREN = "DANG_BO_CAP_TREN"  # đảng bộ cấp trên cơ sở (district level), rated by the province


class Category(str, Enum):
    TONG_SO = "TONG_SO"
    DA_DANH_GIA = "DA_DANH_GIA"
    CHUA_DANH_GIA = "CHUA_DANH_GIA"
    MIEN_DANH_GIA = "MIEN_DANH_GIA"
    TSVM = "TSVM"
    TSVM_TIEU_BIEU = "TSVM_TIEU_BIEU"
    HTXSNV = "HTXSNV"
    HTTNV = "HTTNV"
    HTNV = "HTNV"
    HTNV_HAN_CHE = "HTNV_HAN_CHE"
    KHTNV = "KHTNV"
    YEU_KEM = "YEU_KEM"
    KHAC = "KHAC"


class ChangeUnit(str, Enum):
    pp = "pp"  # percentage points of the share
    count = "count"
    percent = "percent"  # a relative change of a count: "7.115 đồng chí (giảm 1,3% so với năm 2020)"


class Qualifier(str, Enum):
    gan = "gần"  # nearly
    tren = "trên"  # over
    hon = "hơn"  # more than
    khoang = "khoảng"  # about
    duoi = "dưới"  # under


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    unit: ChangeUnit
    since: int | None = None


class Evidence(BaseModel):
    """A span of the original input: ``text[start:end] == evidence.text``."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Figure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    subject: Subject
    category: Category
    label: str | None = Field(None, description="The category as written (always set for KHAC).")
    year: int | None = Field(None, description="The year rated, not the publication year.")
    period: tuple[int, int] | None = Field(
        None, description="First and last year of a multi-year average; year is null then."
    )
    unit: str | None = Field(None, description="The organisation the figure belongs to, as written.")
    unit_key: str | None = Field(None, description="Diacritic-folded normalised key of unit.")
    count: int | None = None
    total: int | None = Field(None, description="The denominator written with the count, as in 36/69.")
    percent: float | None = None
    percent_of: Category | None = Field(None, description="The category the percent is a share of.")
    percent_of_source: Literal["stated", "inferred"] | None = None
    change: Change | None = None
    qualifier: Qualifier | None = Field(None, description="A hedge on the count or percent: gần, trên, hơn.")
    covers: list[Category] | None = Field(
        None, description="For a merged group such as 'hoàn thành tốt nhiệm vụ trở lên': the levels it spans."
    )
    derived: list[str] = Field(default_factory=list, description="Fields computed rather than stated.")
    evidence: Evidence
    rules: list[str] = Field(default_factory=list, description="Ids of the patterns that fired.")
    year_source: Literal["sentence", "parenthesis", "respective", "period", "document"] | None = Field(
        None, description="Where the year came from: the figure's sentence, a year in parentheses after it, the "
                          "years a 'lần lượt' list names in order, the range of a multi-year statement, or the "
                          "document's year (see the document's year_decision).")
    unit_source: Literal["figure", "sentence", "reference", "paragraph", "reporting"] | None = Field(
        None, description="Where the unit came from: named in the figure itself (a list item), named earlier in "
                          "its sentence, a nameless 'Đảng bộ xã' referring back to a unit named before, a unit "
                          "that opened an earlier sentence of the paragraph, or the reporting unit.")
    repeat_of: str | None = Field(
        None, description="The id of an earlier figure this one states again (a body repeating its headline or "
                          "sapo); repeats are left out of sums and checks.")


class Warning_(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    start: int | None = None
    end: int | None = None


class YearEvidence(BaseModel):
    """A year the document names or implies, and whether it counted for the document's year."""

    model_config = ConfigDict(extra="forbid")

    year: int
    source: Literal["body", "headline", "decision", "dateline", "caption", "other"]
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    mentions: int = Field(1, description="How often the text names this year for this source (the span is the first).")
    set_aside: Literal["forward-looking", "target", "after publication"] | None = Field(
        None, description="Why this year does not count: it names the next tasks, a target, or a year that cannot "
                          "have been rated when the page was published.")


class YearDecision(BaseModel):
    """How the document's year was chosen: the strongest source that names a usable year wins
    (body, headline, a dated rating decision, the dateline, a caption, any other sentence)."""

    model_config = ConfigDict(extra="forbid")

    year: int | None
    source: Literal["body", "headline", "decision", "dateline", "caption", "other"] | None
    reason: str
    evidence: list[YearEvidence] = Field(default_factory=list)


class Check(BaseModel):
    """An arithmetic finding about stated figures. It reports; it never changes a stated value."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["percent_mismatch", "percent_unexplained", "parts_mismatch", "subset_exceeds_superset",
                  "change_mismatch", "htxsnv_quota"]
    severity: Literal["error", "warning", "info"]
    figures: list[str] = Field(description="Ids of the figures involved.")
    stated: float | None = None
    expected: float | None = None
    message: str


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str
    source: str | None = None
    title: str | None = None
    published: str | None = Field(None, description="Publication date as ISO yyyy-mm-dd when the text gives it.")
    year: int | None = Field(None, description="The year the document mainly reports on.")
    year_decision: YearDecision | None = Field(None, description="The evidence for the year and why it was chosen.")
    reporting_unit: str | None = None
    extractor_version: str | None = None
    extractor_build: str | None = Field(
        None, description="A hash of the extractor's code and pattern data: outputs of one build are comparable.")
    input_sha256: str | None = Field(None, description="SHA-256 of the input file's bytes.")
    format: str | None = Field(None, description="text, html, mhtml, docx, odt, rtf or pdf.")
    encoding: str | None = Field(None, description="The encoding the input was decoded with.")
    text: str | None = Field(
        None, description="For .html, .docx and .pdf inputs: the text extracted from them, which the "
                          "evidence offsets point into. For plain text, the input file itself is that text.")
    figures: list[Figure] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    nesting: dict[str, dict[str, bool | None]] = Field(
        default_factory=dict,
        description="Per rated group (subject and year): how its categories nest, decided from the arithmetic.")
    warnings: list[Warning_] = Field(default_factory=list)


def json_schema() -> dict:
    return Document.model_json_schema()
