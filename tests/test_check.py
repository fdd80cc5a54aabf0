"""Arithmetic cross-checks, percent-base resolution and derived values."""

import pytest

from extractor import extract
from extractor.check import count_for, fits
from extractor.cli import main


def checks_of(doc, kind=None, severity=None):
    return [c for c in doc.checks if (kind is None or c.kind == kind) and (severity is None or c.severity == severity)]


def figure(doc, fid):
    return next(f for f in doc.figures if f.id == fid)


def test_seed_004_2008_line_states_64_94_but_53_of_78_is_67_95(seed_docs):
    _, doc = seed_docs["004_bd72894cf1e29a41"]
    found = [c for c in checks_of(doc, "percent_mismatch", "error") if c.stated == 64.94]
    assert len(found) == 1 and found[0].expected == 67.95
    assert figure(doc, found[0].figures[0]).year == 2008
    assert "53/78" in found[0].message


def test_seed_002_tccsd_percentages_do_not_fit_49_organisations(seed_docs):
    _, doc = seed_docs["002_bbf9fef7f52ef7a1"]
    unexplained = {c.stated: c for c in checks_of(doc, "percent_unexplained")}
    assert {68.52, 12.96} <= set(unexplained)
    assert "of the 49 in total" in unexplained[68.52].message
    assert figure(doc, unexplained[68.52].figures[0]).percent_of is None


def test_seed_003_member_groups_do_not_add_up_to_2627_rated(seed_docs):
    _, doc = seed_docs["003_c3bc4cf98150e1a6"]
    parts = checks_of(doc, "parts_mismatch", "error")
    assert len(parts) == 1 and parts[0].stated == 2607 and parts[0].expected == 2627
    assert doc.nesting["DANG_VIEN 2017"]["HTXSNV_in_HTTNV"] is True


SOUND = ("Năm 2020, Đảng bộ huyện Tân Lạc có 60 tổ chức cơ sở đảng được đánh giá, trong đó 10 tổ chức cơ sở đảng "
         "hoàn thành xuất sắc nhiệm vụ (chiếm 16,67%), 40 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 66,67%), "
         "9 tổ chức cơ sở đảng hoàn thành nhiệm vụ (chiếm 15%) và 1 tổ chức cơ sở đảng không hoàn thành nhiệm vụ "
         "(chiếm 1,67%). Toàn Đảng bộ có 2.000 đảng viên được đánh giá, có 300 đảng viên hoàn thành xuất sắc nhiệm vụ, "
         "chiếm 15%; 1.600 đảng viên hoàn thành tốt nhiệm vụ, chiếm 80%; 90 đảng viên hoàn thành nhiệm vụ, chiếm 4,5% "
         "và 10 đảng viên không hoàn thành nhiệm vụ, chiếm 0,5%.")


def test_no_error_on_an_arithmetically_sound_figure_set():
    doc = extract(SOUND)
    assert len(doc.figures) == 10
    assert checks_of(doc, severity="error") == []
    assert all(f.percent_of is not None and f.percent_of.value == "DA_DANH_GIA" for f in doc.figures if f.percent)
    assert doc.nesting["TCCSD 2020"]["levels_sum_to_rated"] is True


def test_no_error_on_the_sound_seed_000(seed_docs):
    _, doc = seed_docs["000_f1ca205c30058cf6"]
    assert checks_of(doc, severity="error") == []


def test_truncated_percent_finds_its_base_131_of_554_is_23_64(seed_docs):
    _, doc = seed_docs["000_f1ca205c30058cf6"]
    f = next(f for f in doc.figures if f.count == 131)
    assert f.percent == 23.64 and f.percent_of.value == "DA_DANH_GIA" and f.percent_of_source == "inferred"


def test_nested_percent_is_a_share_of_its_parent_86_of_379(seed_docs):
    _, doc = seed_docs["000_f1ca205c30058cf6"]
    f = next(f for f in doc.figures if f.count == 86)
    assert f.percent_of.value == "TSVM"


def test_stated_base_is_kept_and_checked(seed_docs):
    _, doc = seed_docs["002_bbf9fef7f52ef7a1"]
    f = next(f for f in doc.figures if f.count == 9 and f.subject.value == "TCCSD")
    assert f.percent == 20 and f.percent_of.value == "HTTNV" and f.percent_of_source == "stated"
    assert any(c.expected == 25.0 for c in checks_of(doc, "percent_mismatch") if f.id in c.figures)


def test_stated_values_are_never_fixed(seed_docs):
    text, doc = seed_docs["004_bd72894cf1e29a41"]
    f = next(f for f in doc.figures if f.year == 2008)
    assert (f.count, f.total, f.percent, f.derived) == (53, 78, 64.94, [])


def test_derived_values_are_listed_and_stated_ones_win():
    doc = extract("Năm 2021, Đảng bộ có 50 tổ chức cơ sở đảng được xếp loại, trong đó 10 tổ chức cơ sở đảng "
                  "hoàn thành xuất sắc nhiệm vụ, 35 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 70%), "
                  "5 tổ chức cơ sở đảng hoàn thành nhiệm vụ; không có tổ chức cơ sở đảng không hoàn thành nhiệm vụ.")
    by_count = {f.count: f for f in doc.figures}
    assert by_count[10].percent == 20.0 and by_count[10].derived == ["percent"]
    assert by_count[10].percent_of_source == "inferred"
    assert by_count[35].percent == 70 and by_count[35].derived == []


def test_count_from_a_percent_of_a_small_base():
    doc = extract("Năm 2022, Đảng bộ xã có 12 chi bộ trực thuộc; 58,33% chi bộ hoàn thành tốt nhiệm vụ.")
    f = next(f for f in doc.figures if f.category.value == "HTTNV")
    assert f.count == 7 and f.derived == ["count"] and f.percent_of.value == "TONG_SO"


def test_subset_larger_than_its_superset_is_an_error():
    doc = extract("Năm 2017, có 40 tổ chức cơ sở đảng đạt trong sạch, vững mạnh, trong đó có 45 tổ chức cơ sở đảng "
                  "đạt trong sạch, vững mạnh tiêu biểu.")
    assert checks_of(doc, "subset_exceeds_superset", "error")


def test_change_contradicting_the_two_years_values_is_an_error():
    doc = extract("Năm 2016 có 60 tổ chức cơ sở đảng đạt trong sạch, vững mạnh, chiếm 60%. "
                  "Năm 2017 có 70 tổ chức cơ sở đảng đạt trong sạch, vững mạnh, chiếm 70%, tăng 5% so với năm 2016.")
    found = checks_of(doc, "change_mismatch", "error")
    assert len(found) == 1 and found[0].stated == 5 and found[0].expected == 10


def test_htxsnv_quota_is_information_only(seed_docs):
    _, doc = seed_docs["002_bbf9fef7f52ef7a1"]
    quota = checks_of(doc, "htxsnv_quota")
    assert quota and all(c.severity == "info" for c in quota)


@pytest.mark.parametrize("percent, count, base, decimals, qualifier, expected", [
    (23.64, 131, 554, 2, None, True),    # truncated
    (23.65, 131, 554, 2, None, True),    # rounded
    (23.6, 131, 554, 1, None, True),
    (64.94, 53, 78, 2, None, False),
    (80.0, 47, 58, 0, "trên", True),     # 81,03% is "trên 80%"
    (72.0, 41, 57, 0, "gần", True),      # 71,93% is "gần 72%"
    (90.0, 47, 58, 0, "trên", False),
])
def test_fits(percent, count, base, decimals, qualifier, expected):
    assert fits(percent, count, base, decimals, qualifier) is expected


def test_a_percent_of_a_large_base_proves_nothing():
    assert count_for(77.5, 6185, 1, None) is None
    assert count_for(58.62, 58, 2, None) == 34


def test_cli_check_reports_and_strict_fails_on_errors(tmp_path, capsys):
    sound = tmp_path / "sound.txt"
    sound.write_text(SOUND, encoding="utf-8")
    assert main(["check", str(sound), "--strict"]) == 0
    assert "1 document, 0 errors, 0 warnings" in capsys.readouterr().out
    flawed = tmp_path / "flawed.txt"
    flawed.write_text("Năm 2008 có 53/78 tổ chức cơ sở đảng đạt trong sạch vững mạnh, chiếm tỷ lệ 64,94%.", encoding="utf-8")
    assert main(["check", str(flawed)]) == 0
    out = capsys.readouterr().out
    assert "53/78 is 67,95%" in out and "error" in out
    assert main(["check", str(flawed), "--strict"]) == 1


def test_no_false_errors_on_the_shape_suite():
    """The suite is written to be sound except where it plants a source error (s05_a: levels sum to
    3.875 of 3.874 rated; r15: 22 of 38 stated as 58,9%); grouping several sub-populations must not
    raise false errors elsewhere."""
    from extractor import extract_file

    from .conftest import CORPUS

    flagged = {p.stem for p in sorted((CORPUS / "shapes").glob("*.txt"))
               if any(c.severity == "error" for c in extract_file(p).checks)}
    assert flagged == {"s05_a", "r15_lac_xuyen_2011"}


def test_a_zero_base_is_no_candidate():
    """Found by the throughput benchmark: a stated total of 0 made the check divide by zero."""
    doc = extract("Năm 2020, Đảng bộ có 0 tổ chức cơ sở đảng được đánh giá. Có 5 tổ chức cơ sở đảng "
                  "hoàn thành tốt nhiệm vụ (chiếm 50%).")
    assert [f.count for f in doc.figures] == [0, 5]


def test_a_zero_base_derives_no_percent():
    """"0 đảng viên được đánh giá; 0 … hoàn thành tốt nhiệm vụ": 0 of 0 is no share (it raised
    ZeroDivisionError when the benchmark's varied numbers produced it)."""
    from extractor import extract

    doc = extract("Năm 2020, có 0 đảng viên được đánh giá; 0 đảng viên hoàn thành tốt nhiệm vụ.")
    assert [(f.category.value, f.count, f.percent) for f in doc.figures] == [("DA_DANH_GIA", 0, None), ("HTTNV", 0, None)]


def test_the_check_leaves_the_resolvers_drafts_as_they_were():
    """No stage edits another stage's objects: the check derives and infers on copies of the drafts."""
    import copy
    from dataclasses import asdict

    from extractor.check import check
    from extractor.pipeline import run

    text = ("Năm 2019, toàn Đảng bộ có 50 tổ chức cơ sở đảng được đánh giá, trong đó 10 tổ chức cơ sở đảng hoàn "
            "thành xuất sắc nhiệm vụ, 30 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 60%), 8 tổ chức cơ sở "
            "đảng hoàn thành nhiệm vụ và tổ chức cơ sở đảng không hoàn thành nhiệm vụ.")
    drafts = run(text).drafts
    before = copy.deepcopy(drafts)
    checked, _, _ = check(drafts)
    assert [asdict(d) for d in drafts] == [asdict(d) for d in before]
    assert any(d.derived for d in checked)  # it did derive: the percent of 10 of 50, the count of KHTNV
