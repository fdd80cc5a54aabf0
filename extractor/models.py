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


UnitKind = Literal["province", "district", "commune", "village", "bloc", "agency", "enterprise", "school", "hospital",
                   "police", "army", "other"]


class AdminWard(BaseModel):
    """A commune of the 2025 structure."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # one instance serves every figure naming the unit

    code: str = Field(description="Its official code, e.g. '03217'.")
    name: str = Field(description="Its official name, e.g. 'Xã Tủa Chùa'.")


class Successor2025(BaseModel):
    """What a unit of the legacy structure became on 1 July 2025 (34 provinces, no districts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # one instance serves every figure naming the unit

    change: Literal["unchanged", "renamed", "merged", "divided", "dissolved"] = Field(
        description="unchanged or renamed: one commune (or province) became one; merged: it went into a unit with "
                    "others; divided: its parts went into several communes; dissolved: a district (the level was "
                    "abolished), whose communes went into the ones listed in wards.")
    province_code: str
    province_name: str
    ward_code: str | None = Field(None, description="For a commune: the commune it became (for a divided one, the one "
                                                    "the official mapping names by default).")
    ward_name: str | None = None
    wards: list[AdminWard] = Field(default_factory=list, description="Every 2025 commune that took in part of it.")


class Admin(BaseModel):
    """An official administrative unit (codes of the General Statistics Office, from vietnamadminunits)."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # one instance serves every figure naming the unit

    level: Literal["province", "district", "commune"]
    structure: Literal["legacy", "2025"] = Field(
        description="legacy: the 63 provinces with districts, as before 1 July 2025; 2025: the 34 provinces after.")
    name: str = Field(description="The official name with its type: 'Huyện Điện Biên'.")
    province_code: str
    province_name: str
    district_code: str | None = None
    district_name: str | None = None
    ward_code: str | None = Field(None, description="For a commune (xã, phường, thị trấn, đặc khu): its code.")
    ward_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    matched: Literal["name", "folded", "alias"] = Field(
        "name", description="name: as written; folded: the same letters with other diacritics (or none); alias: a "
                            "former or other name the official lists give the unit.")
    successor_2025: Successor2025 | None = Field(None, description="For a legacy unit: what it became in 2025.")


class UnitAdmin(BaseModel):
    """A unit linked to the official administrative units (the same fields a figure carries)."""

    model_config = ConfigDict(extra="forbid")

    unit_kind: UnitKind
    admin: Admin | None = None
    admin_reason: str | None = None
    admin_within: Admin | None = None
    scoped_unit_key: str | None = None


class DocumentProvince(BaseModel):
    """The province the document belongs to, and what it was taken from."""

    model_config = ConfigDict(extra="forbid")

    admin: Admin | None = Field(None, description="The province in the official lists; null when it is not in them.")
    written: str | None = Field(None, description="Its name as the document writes it.")
    source: Literal["reporting_unit", "header", "text"] = Field(
        description="reporting_unit: the reporting unit names it, or it is the one province with a unit of the "
                    "reporting unit's name; header: named most in the report header; text: named most on the page.")
    reason: str


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
    unit_kind: UnitKind | None = Field(
        None, description="What the unit is: a territory (province, district, commune, village) or an organisation "
                          "that is none (bloc, agency, enterprise, school, hospital, police, army, other).")
    admin: Admin | None = Field(None, description="The official administrative unit the unit is (territories only).")
    admin_reason: str | None = Field(None, description="Why admin is null: not a territorial unit, a village, a name "
                                                       "in several provinces (named), not found.")
    admin_within: Admin | None = Field(
        None, description="For a village or an organisation: the official unit it lies in, when known (a village's "
                          "commune, the district of 'Công an huyện …', the document's province).")
    scoped_unit_key: str | None = Field(
        None, description="unit_key within its province ('tinh dien bien/huyen dien bien'; a province alone): two "
                          "provinces' 'Đảng bộ tỉnh' never share it. Null when no province is known.")


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
    set_aside: Literal["forward-looking", "target", "after publication", "compared with"] | None = Field(
        None, description="Why this year does not count: it names the next tasks, a target, a year that cannot "
                          "have been rated when the page was published, or the year a figure is compared with "
                          "in parentheses (\"(năm 2021: 63 tổ chức)\").")


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


class OcrPage(BaseModel):
    """One page of a scan as OCR read it."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(description="The page's number in the file, from 1 (for a TIFF, its frame).")
    dpi: int = Field(description="The resolution the page was read at.")
    words: int = Field(description="The words read on the page.")
    mean_confidence: float | None = Field(
        None, description="Tesseract's mean word confidence on the page, 0 to 100; null when no word was read.")


class Ocr(BaseModel):
    """How the text of a scan was read: the OCR engine and language model, and how confident it was."""

    model_config = ConfigDict(extra="forbid")

    engine: str = Field(description="The OCR program and its version, e.g. 'tesseract 5.3.0'.")
    language: str = Field(description="Tesseract's language model: 'vie'.")
    mean_confidence: float | None = Field(
        None, description="Tesseract's mean word confidence over all pages read, 0 to 100; null when no word was read.")
    words: int = Field(description="The words read on all pages.")
    page_count: int = Field(description="The pages of the file; more than the pages read when the page limit stopped OCR.")
    pages: list[OcrPage] = Field(description="The pages read, in order.")


class ReportHeader(BaseModel):
    """The header block of an official report, as its lines give it."""

    model_config = ConfigDict(extra="forbid")

    issuing_body: str | None = Field(None, description="The body that issued the report: its header's last line "
                                                       "that names a unit, as written (the reporting unit).")
    number: str | None = Field(None, description="The document's number, e.g. '45-BC/HU'.")
    place: str | None = Field(None, description="The place written before its date.")
    date: str | None = Field(None, description="The date of the report as ISO yyyy-mm-dd.")
    title: str | None = Field(None, description="The title: the report's word ('BÁO CÁO') and the lines after it.")
    lines: list[str] = Field(default_factory=list, description="The lines of the header block, as written.")


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
    url: str | None = Field(None, description="The URL a page was fetched from (`xeploai fetch`), as its folder's "
                                              "index records it.")
    format: str | None = Field(None, description="text, html, mhtml, docx, odt, rtf, pdf, png, jpeg or tiff.")
    encoding: str | None = Field(None, description="The encoding the input was decoded with.")
    text: str | None = Field(
        None, description="For .html, .docx and .pdf inputs: the text extracted from them, which the "
                          "evidence offsets point into. For plain text, the input file itself is that text.")
    ocr: Ocr | None = Field(
        None, description="Set when the text came from OCR of a scan (a PDF without a text layer, an image of a "
                          "page): how it was read and with what confidence.")
    figures: list[Figure] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    nesting: dict[str, dict[str, bool | None]] = Field(
        default_factory=dict,
        description="Per rated group (subject and year): how its categories nest, decided from the arithmetic.")
    warnings: list[Warning_] = Field(default_factory=list)
    report_header: ReportHeader | None = Field(
        None, description="For an official report: the issuing body, number, place, date and title of its header.")
    province: DocumentProvince | None = Field(
        None, description="The document's province, which the units it names are looked up in.")
    reporting_unit_admin: UnitAdmin | None = Field(
        None, description="The reporting unit linked to the official administrative units, as a figure's unit is.")
    admin_data: str | None = Field(
        None, description="The official lists the units were linked with, and their version.")


def json_schema() -> dict:
    return Document.model_json_schema()
