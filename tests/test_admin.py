"""Official units (extractor/admin.py): units linked to the administrative units of vietnamadminunits."""

import shutil
import subprocess
import sys

import pytest
import yaml

from extractor import admin, admin_names, atlas, extract
from extractor.admin_names import read, words
from extractor.normalise import normalise
from extractor.patterns import PatternError, Patterns, load, pattern_dir
from extractor.pipeline import run
from extractor.units import unit_key

P = load()
W = words(P)
RATED = "Năm 2019, {unit} có 12 chi bộ, trong đó 10 chi bộ hoàn thành tốt nhiệm vụ."


def linker(text: str, year: int | None = 2019) -> admin.Linker:
    """The linker of a document, as the pipeline builds it (the year given, the reporting unit it finds)."""
    r = run(text)
    return admin.Linker(r.norm, r.page, r.document.reporting_unit, year, P)


def _examples(section: str):
    for name, entry in W.data.model_dump()[section].items():
        yield from ((name, ex, True) for ex in entry["examples"]["positive"])
        yield from ((name, ex, False) for ex in entry["examples"]["negative"])


@pytest.mark.parametrize("level, unit, positive", list(_examples("levels")), ids=lambda x: str(x)[:30])
def test_level_examples(level, unit, positive):
    reading = read(unit, W, P)
    named = reading.own.levels if reading.own else ("village",) if reading.kind == "village" else ()
    assert (level in named) == positive, (level, unit, reading)


@pytest.mark.parametrize("kind, unit, positive", list(_examples("kinds")), ids=lambda x: str(x)[:30])
def test_kind_examples(kind, unit, positive):
    assert (read(unit, W, P).kind == kind) == positive, (kind, unit, read(unit, W, P))


def test_the_words_of_a_name_are_its_key():
    for unit in ("Thành ủy TP.Biên Hòa", "Ban Thường vụ Huyện ủy Điện Biên", "Đảng bộ bộ phận Phòng Cảnh sát cơ động"):
        assert " ".join(k for k, _ in admin_names._words_of(unit, P)) == unit_key(unit, P)


def test_a_level_word_counts_only_written_as_one():
    assert [s.word for s in read("Đảng ủy Khối các cơ quan tỉnh", W, P).parents] == ["tinh"]  # not "quận"
    assert read("Đảng bộ xã Phương Trung", W, P).own.name == "phuong trung"  # not "phường"


# -- a commune name shared by two provinces ---------------------------------------------------------------

def test_a_commune_shared_by_two_provinces_is_resolved_by_the_documents_province():
    doc = extract("Đảng bộ tỉnh Thái Bình\n" + RATED.format(unit="Đảng bộ xã Minh Phú"))
    figure = doc.figures[0]
    assert figure.unit == "Đảng bộ xã Minh Phú" and figure.unit_kind == "commune"
    assert (figure.admin.name, figure.admin.district_name, figure.admin.province_name) == \
        ("Xã Minh Phú", "Huyện Đông Hưng", "Tỉnh Thái Bình")
    assert figure.admin.structure == "legacy" and figure.admin.ward_code and figure.admin.latitude
    assert figure.scoped_unit_key == "tinh thai binh/xa minh phu"
    assert doc.province.source == "reporting_unit" and doc.province.admin.province_code == "34"


def test_the_same_commune_name_without_a_province_is_left_unresolved_with_the_provinces():
    figure = extract(RATED.format(unit="Đảng bộ xã Minh Phú")).figures[0]
    assert figure.admin is None
    assert figure.admin_reason == "name in several provinces: Thành phố Hà Nội, Tỉnh Thái Bình"
    assert figure.scoped_unit_key is None


def test_a_page_that_names_its_province_scopes_its_communes():
    text = "CỔNG THÔNG TIN ĐIỆN TỬ THÀNH PHỐ HÀ NỘI\n\n" + RATED.format(unit="Đảng bộ xã Minh Phú")
    doc = extract(text)
    assert doc.figures[0].admin.district_name == "Huyện Sóc Sơn"
    assert doc.province.source == "text" and doc.province.written == "HÀ NỘI"


def test_two_communes_of_one_spelling_in_a_province_are_told_apart_by_diacritics():
    doc = linker("Tỉnh ủy Điện Biên\n" + RATED.format(unit="Đảng bộ xã Na Tông"))  # "Nà Tòng" is in Tuần Giáo
    link = doc.link("Đảng bộ xã Na Tông")
    assert (link.admin.name, link.admin.district_name, link.admin.matched) == ("Xã Na Tông", "Huyện Điện Biên", "name")
    assert doc.link("Dang bo xa Na Tong").admin_reason.startswith("name in several districts of Tỉnh Điện Biên")


def test_a_name_written_otherwise_is_not_taken_without_a_province():
    other_type = linker(RATED.format(unit="Đảng bộ phường Phước Vĩnh Tây")).link("Đảng bộ phường Phước Vĩnh Tây")
    assert other_type.admin_reason.startswith("not found as written") and "Xã Phước Vĩnh Tây" in other_type.admin_reason
    other_spelling = linker(RATED.format(unit="Huyện ủy Cẩm Giang")).link("Huyện ủy Cẩm Giang")  # the lists: Cẩm Giàng
    assert other_spelling.admin is None and other_spelling.admin_reason.startswith("not found as written")
    inside = linker("Tỉnh ủy Hải Dương\n" + RATED.format(unit="Huyện ủy Cẩm Giang")).link("Huyện ủy Cẩm Giang")
    assert (inside.admin.name, inside.admin.matched) == ("Huyện Cẩm Giàng", "folded")


def test_a_type_the_unit_has_since_been_given_is_taken():
    link = linker("Thị ủy Dĩ An\n" + RATED.format(unit="Thị ủy Dĩ An")).link("Thị ủy Dĩ An")
    assert (link.unit_kind, link.admin.name, link.admin.province_name) == ("district", "Thành phố Dĩ An",
                                                                            "Tỉnh Bình Dương")


# -- 2025 ----------------------------------------------------------------------------------------------------

def test_a_commune_merged_in_2025_names_its_successor():
    figure = extract("Đảng bộ tỉnh Thái Bình\n" + RATED.format(unit="Đảng bộ xã Minh Phú")).figures[0]
    after = figure.admin.successor_2025
    assert (after.change, after.ward_name, after.province_name) == ("merged", "Xã Nam Tiên Hưng", "Tỉnh Hưng Yên")
    assert [w.name for w in after.wards] == ["Xã Nam Tiên Hưng"]


def test_a_dissolved_district_names_the_communes_that_took_it_in():
    link = linker("Huyện ủy Đông Hưng\n" + RATED.format(unit="Huyện ủy Đông Hưng")).link("Huyện ủy Đông Hưng")
    after = link.admin.successor_2025
    assert link.admin.province_name == "Tỉnh Thái Bình"
    assert after.change == "dissolved" and after.ward_code is None and after.province_name == "Tỉnh Hưng Yên"
    assert "Xã Nam Tiên Hưng" in [w.name for w in after.wards] and len(after.wards) > 3


def test_a_merged_province_and_an_unchanged_one():
    merged = linker("Tỉnh ủy Thái Bình").link("Tỉnh ủy Thái Bình").admin.successor_2025
    assert (merged.change, merged.province_name) == ("merged", "Tỉnh Hưng Yên")
    kept = linker("Tỉnh ủy Nghệ An").link("Tỉnh ủy Nghệ An").admin.successor_2025
    assert (kept.change, kept.province_name) == ("unchanged", "Tỉnh Nghệ An")


def test_a_document_on_2025_is_read_in_the_lists_of_2025():
    link = linker("Tỉnh ủy Tuyên Quang\n" + RATED.format(unit="Đảng bộ phường Hà Giang 1"), year=2025).link(
        "Đảng bộ phường Hà Giang 1")
    assert (link.admin.structure, link.admin.province_name, link.admin.successor_2025) == ("2025", "Tỉnh Tuyên Quang",
                                                                                          None)
    assert link.admin.district_code is None
    assert linker("Tỉnh ủy Hà Giang", year=2019).link("Phường Hà Giang 1").admin is None  # no such ward before 2025


# -- organisations that are no territory ------------------------------------------------------------------------

def test_a_bloc_committee_has_no_admin_and_is_keyed_within_its_province():
    doc = extract(RATED.format(unit="Đảng ủy Khối các cơ quan tỉnh Thái Bình"))
    figure = doc.figures[0]
    assert (figure.unit_kind, figure.admin, figure.admin_reason) == ("bloc", None, "not a territorial unit")
    assert figure.admin_within.name == "Tỉnh Thái Bình"
    assert figure.scoped_unit_key == "tinh thai binh/khoi cac co quan tinh"
    assert doc.reporting_unit_admin.unit_kind == "bloc"


def test_a_committee_named_by_its_level_lies_in_the_reporting_units_territory():
    doc = linker("Tỉnh ủy Tây Ninh\n" + RATED.format(unit="Đảng ủy Công an tỉnh Tây Ninh"))
    named, nameless = doc.link("Đảng ủy Công an tỉnh Tây Ninh"), doc.link("Đảng bộ Công an tỉnh")
    assert named.scoped_unit_key == nameless.scoped_unit_key == "tinh tay ninh/cong an tinh"
    assert (named.unit_kind, named.admin, named.admin_within.name) == ("police", None, "Tỉnh Tây Ninh")
    district = linker("Huyện ủy Đức Trọng").link("Đảng bộ Công an huyện")
    assert (district.unit_kind, district.admin_within.name) == ("police", "Huyện Đức Trọng")


def test_a_village_names_its_commune():
    link = linker("Đảng ủy xã Ea Tân\n" + RATED.format(unit="Đảng ủy xã Ea Tân")).link("Chi bộ thôn Tân Lập")
    assert (link.unit_kind, link.admin, link.admin_reason) == ("village", None, "a village, below the commune")
    assert link.admin_within.name == "Xã Ea Tân"


def test_a_national_body_is_in_no_province():
    link = linker("Đảng ủy Công an tỉnh Hà Tĩnh").link("Đảng ủy Công an Trung ương")
    assert (link.unit_kind, link.admin_within, link.scoped_unit_key) == ("police", None, "cong an trung uong")


# -- keys ------------------------------------------------------------------------------------------------------

def test_dang_bo_tinh_in_two_provinces_gives_two_keys():
    keys = {linker(f"Tỉnh ủy {name}\n" + RATED.format(unit="Đảng bộ tỉnh")).link("Đảng bộ tỉnh").scoped_unit_key
            for name in ("Lạng Sơn", "Nghệ An")}
    assert keys == {"tinh lang son", "tinh nghe an"}
    assert unit_key("Đảng bộ tỉnh", P) == "tinh"  # the base key, unchanged


def test_dang_bo_tinh_without_a_province():
    link = linker(RATED.format(unit="Đảng bộ tỉnh")).link("Đảng bộ tỉnh")
    assert (link.unit_kind, link.admin, link.admin_reason, link.scoped_unit_key) == \
        ("province", None, "no province named in the document", None)


def test_a_province_the_lists_do_not_have_still_keys_its_units():
    doc = linker("Tỉnh ủy Hậu Lâm\n" + RATED.format(unit="Tỉnh ủy Hậu Lâm"))
    assert doc.province.admin is None and doc.province.written == "Hậu Lâm"
    link = doc.link("Đảng bộ huyện Long Phú Đông")
    assert link.admin_reason == "not found in Hậu Lâm"
    assert link.scoped_unit_key == "tinh hau lam/huyen long phu dong"


def test_a_centrally_run_city_is_a_province_and_another_city_a_district():
    assert linker("Thành ủy Hà Nội").link("Thành ủy Hà Nội").unit_kind == "province"
    assert linker("Thành ủy Biên Hòa").link("Thành ủy TP.Biên Hòa").admin.name == "Thành phố Biên Hòa"


# -- the document's province ----------------------------------------------------------------------------------------

def test_the_province_of_a_district_page_is_the_only_one_with_that_district():
    doc = extract(RATED.format(unit="Huyện ủy Điện Biên"))
    assert doc.province.admin.name == "Tỉnh Điện Biên" and doc.province.source == "reporting_unit"
    assert doc.reporting_unit_admin.admin.name == "Huyện Điện Biên"


def test_a_province_named_only_in_teasers_counts_when_nothing_else_does():
    text = (RATED.format(unit="Đảng ủy Khối các cơ quan tỉnh") + "\n\nTin liên quan\n"
            "Kỳ họp thứ 2 HĐND tỉnh Gia Lai khóa XII: Thông qua 14 nghị quyết quan trọng\n")
    doc = extract(text)
    assert doc.province.admin.name == "Tỉnh Gia Lai"
    assert doc.province.reason.startswith("named only in the page's masthead, footer or teasers")


# -- data, errors, no network ---------------------------------------------------------------------------------------

def test_linking_loads_neither_the_packages_parser_nor_a_geocoder():
    script = ("import sys; from extractor import extract; "
              f"d = extract({RATED.format(unit='Huyện ủy Điện Biên')!r}); "
              "assert d.figures[0].admin is not None; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('vietnamadminunits', 'geopy', 'shapely')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_missing_data_gives_a_reason_and_a_warning_not_a_traceback(monkeypatch):
    def broken():
        raise atlas.AdminDataError("vietnamadminunits is not installed")

    monkeypatch.setattr(atlas, "load", broken)
    doc = extract(RATED.format(unit="Huyện ủy Điện Biên"))
    assert doc.figures and doc.figures[0].admin is None
    assert doc.figures[0].admin_reason == "official units not available: vietnamadminunits is not installed"
    assert [w.code for w in doc.warnings] == ["admin_data"]


def test_the_packages_data_layout_is_checked(tmp_path):
    with pytest.raises(atlas.AdminDataError, match="dataset.db: not found"):
        atlas.Atlas(tmp_path)
    assert atlas.load().version.startswith("vietnamadminunits 1.0.")
    assert len([p for p in atlas.load().places.values() if p.level == "province"]) == 63 + 34


def test_the_lists_are_written_as_texts_are_normalised():
    """Names are compared with their diacritics as written (admin_names.spelled), which needs one tone placement."""
    assert all(normalise(p.name).text == p.name for p in atlas.load().places.values())


def _patterns_with(tmp_path, edit) -> Patterns:
    folder = tmp_path / "patterns"
    shutil.copytree(pattern_dir(), folder)
    data = yaml.safe_load((folder / "admin.yaml").read_text(encoding="utf-8"))
    edit(data)
    (folder / "admin.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Patterns(folder)


def test_a_bad_entry_fails_naming_its_file_and_key(tmp_path):
    patterns = _patterns_with(tmp_path, lambda d: d["kinds"].update(navy={"words": ["Hải quân"]}))
    with pytest.raises(PatternError, match=r"admin\.yaml: kinds\.navy"):
        words(patterns)


def test_a_type_of_the_lists_missing_from_the_levels_fails(tmp_path):
    patterns = _patterns_with(tmp_path, lambda d: d["levels"]["commune"]["words"].remove("đặc khu"))
    with pytest.raises(PatternError, match=r"levels\.commune: the official lists name dac khu"):
        admin.check_types(atlas.load(), words(patterns), patterns)
