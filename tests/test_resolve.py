"""The resolve stage on phrasings that need more than one shape: what comes between the parts of a
figure, and what its context rules out."""

from extractor import extract
from extractor.patterns import load

P = load()


def figures(text: str) -> list[tuple]:
    return [(f.subject.value, f.category.value, f.count, f.percent) for f in extract(text, patterns=P).figures]


def test_a_score_threshold_between_count_and_category_binds_them():
    text = ("Năm 2025 có 07 chi bộ đạt từ 90 điểm trở lên, được xếp loại hoàn thành xuất sắc nhiệm vụ, chiếm 14,89%; "
            "5 tập thể đạt từ 90 điểm trở lên, xếp loại hoàn thành xuất sắc nhiệm vụ.")
    assert figures(text) == [("CHI_BO", "HTXSNV", 7, 14.89), ("TAP_THE", "HTXSNV", 5, None)]


def test_a_population_after_a_breakdown_in_parentheses():
    text = ("Năm 2025, Đảng bộ xã hiện có 47 chi bộ trực thuộc (32 chi bộ ấp, 15 chi bộ cơ quan, trường học, Công an) "
            "với 1.912 đảng viên.")
    assert ("DANG_VIEN", "TONG_SO", 1912, None) in figures(text)


def test_a_hedged_count_goes_on_a_population_list():
    doc = extract("Đảng bộ Khối hiện có 58 tổ chức cơ sở đảng với 214 chi bộ và gần 4.900 đảng viên.", patterns=P)
    members = [f for f in doc.figures if f.subject.value == "DANG_VIEN"]
    assert [(f.count, f.qualifier) for f in members] == [(4900, "gần")]


def test_a_distractor_in_the_reason_after_a_figure_does_not_rule_it_out():
    with_reason = figures("Năm 2011 có 37 đồng chí chưa đánh giá do ốm đau dài ngày, đi học tập trung.")
    assert with_reason == [("DANG_VIEN", "CHUA_DANH_GIA", 37, None)]
    thanks_to = figures("Năm 2025, 100% đảng viên hoàn thành tốt nhiệm vụ trở lên nhờ giao chỉ tiêu đến từng người.")
    assert thanks_to == [("DANG_VIEN", "KHAC", None, 100.0)]
    # without a reason word ("đó" is not "do") the distractor after the figure still rules it out
    assert figures("Năm 2011 có 37 đồng chí chưa đánh giá, sau đó đi học tập trung.") == []


def test_a_unit_name_stops_before_con():
    doc = extract("Năm 2016, Đảng bộ huyện Cù Lao Hạ còn 02 TCCSĐ yếu kém.", patterns=P)
    assert [(f.unit, f.count) for f in doc.figures] == [("Đảng bộ huyện Cù Lao Hạ", 2)]


def test_population_lists_go_on_across_semicolons_and_membership_phrases():
    listed = figures("Đảng bộ huyện có 45 tổ chức cơ sở đảng; 11 đảng bộ bộ phận; 312 chi bộ trực thuộc đảng ủy cơ sở, "
                     "với 5.236 đảng viên.")
    assert ("CHI_BO", "TONG_SO", 312, None) in listed
    members_in = figures("Đảng bộ thành phố hiện có 64 tổ chức cơ sở đảng với 9.726 đảng viên, sinh hoạt ở 512 chi bộ "
                         "trực thuộc đảng ủy cơ sở.")
    assert ("CHI_BO", "TONG_SO", 512, None) in members_in


def test_trong_opening_a_clause_states_a_population():
    found = figures("Năm 2018, theo đó, trong 15 đảng bộ trực thuộc Tỉnh ủy, có 2 đảng bộ hoàn thành xuất sắc nhiệm vụ.")
    assert found[0] == ("DANG_BO_CAP_TREN", "TONG_SO", 15, None)


def test_a_breakdown_of_a_population_is_not_a_list_of_figures():
    text = "Đảng bộ xã hiện có mười hai chi bộ trực thuộc (tám chi bộ thôn, bốn chi bộ cơ quan, trường học) với 247 đảng viên."
    assert figures(text) == [("CHI_BO", "TONG_SO", 12, None), ("DANG_VIEN", "TONG_SO", 247, None)]


def stated(text: str) -> list[tuple]:
    """Figures with only the values the text states (a derived count is left out)."""
    return [(f.category.value, None if "count" in f.derived else f.count, f.percent)
            for f in extract(text, patterns=P).figures]


def test_a_count_in_parentheses_after_a_percent_is_read():
    assert stated("Năm 2015, tỷ lệ chi bộ đạt trong sạch, vững mạnh là 71,39% (292 chi bộ); hoàn thành tốt nhiệm vụ "
                  "24,21% (99 chi bộ).") == [("TSVM", 292, 71.39), ("HTTNV", 99, 24.21)]
    assert stated("Năm 2025, 79,3% (1.904 đồng chí) hoàn thành tốt nhiệm vụ; 5,46% (131 đồng chí) hoàn thành nhiệm vụ."
                  ) == [("HTTNV", 1904, 79.3), ("HTNV", 131, 5.46)]


def test_a_unit_named_after_its_noun_does_not_part_count_and_category():
    assert figures("Năm 2015 có một chi bộ cơ sở (Chi bộ Công ty May Hưng Phát) mới thành lập nên chưa đánh giá."
                   ) == [("TCCSD", "CHUA_DANH_GIA", 1, None)]


def test_a_base_named_before_the_percent():
    doc = extract("Năm 2025, tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ là 18,49%.",
                  patterns=P)
    assert [(f.category.value, f.percent, f.percent_of) for f in doc.figures] == [("HTXSNV", 18.49, "HTTNV")]


def test_a_letter_grade_last_in_its_sentence_keeps_its_category():
    found = figures("Năm 2021, có 91 đồng chí xếp loại B (hoàn thành tốt nhiệm vụ) và 04 đồng chí xếp loại C "
                    "(hoàn thành nhiệm vụ).")
    assert [(category, count) for _, category, count, _ in found] == [("HTTNV", 91), ("HTNV", 4)]


def test_new_scheme_wording_of_rated_and_short_category_names():
    found = figures("Năm 2025 có 2.401 đảng viên được chấm điểm, xếp loại; 11 tập thể hoàn thành tốt và 01 tập thể "
                    "hoàn thành nhiệm vụ.")
    assert [(category, count) for _, category, count, _ in found] == [("DA_DANH_GIA", 2401), ("HTTNV", 11), ("HTNV", 1)]


def test_respective_percents_take_the_years_named_before_them_in_order():
    doc = extract("Tỷ lệ TCCSĐ hoàn thành tốt nhiệm vụ trở lên của Đảng bộ Khối các năm 2019, 2020 và 2021 lần lượt là "
                  "91,76%, 92,86% và 92,77%.", patterns=P)
    assert [(f.year, f.percent) for f in doc.figures] == [(2019, 91.76), (2020, 92.86), (2021, 92.77)]
    assert all(f.unit != "Đảng bộ Khối các" for f in doc.figures)  # "các năm …" is not part of a name
    period = extract("Giai đoạn 2016 - 2017, tỷ lệ TCCSĐ đạt trong sạch, vững mạnh lần lượt là 62,5% và 60,94%.",
                     patterns=P)
    assert [(f.year, f.percent) for f in period.figures] == [(2016, 62.5), (2017, 60.94)]
    # as many years as percents, or no series: here one figure of 2014 is read the usual way
    assert [f.year for f in extract("Năm 2014, tỷ lệ TCCSĐ đạt trong sạch, vững mạnh lần lượt là 61,4% và 63,5%.",
                                    patterns=P).figures] == [2014]


def test_a_year_in_a_closed_parenthetical_stays_inside_it():
    doc = extract("Năm 2014: trong sạch, vững mạnh: 39 TCCSĐ, chiếm 58,21%, giảm 19,4% so với năm 2013 (năm 2013 là "
                  "77,61%); trong đó trong sạch, vững mạnh tiêu biểu: 8, chiếm 20,51%.", patterns=P)
    assert [(f.category.value, f.year, f.percent) for f in doc.figures] == [
        ("TSVM", 2014, 58.21), ("TSVM", 2013, 77.61), ("TSVM_TIEU_BIEU", 2014, 20.51)]


def test_a_report_published_early_in_a_year_is_about_the_year_before():
    doc = extract("Kết quả xếp loại năm 2025\n\nNgày đăng: 16/01/2026\n\nNăm 2025 có 38 tổ chức cơ sở đảng được xếp loại. "
                  "Năm 2026, phấn đấu 90% tổ chức cơ sở đảng được xếp loại hoàn thành tốt nhiệm vụ trở lên.", patterns=P)
    assert doc.year == 2025


def test_a_label_ending_in_theo_quy_dinh_then_a_colon_takes_its_value():
    assert figures("Năm 2025, số đảng viên được miễn kiểm điểm, đánh giá theo quy định: 426 đồng chí.") == [
        ("DANG_VIEN", "MIEN_DANH_GIA", 426, None)]


def test_a_share_in_parentheses_between_count_and_category():
    assert figures("Năm 2025, 05 tổ chức (13,16%) đạt mức hoàn thành xuất sắc nhiệm vụ.") == [
        ("TCCSD", "HTXSNV", 5, 13.16)]


def test_a_units_size_in_parentheses_and_a_counted_chi_bo_of_villages():
    doc = extract("Năm 2018, Đảng bộ xã Tường Khê (16 chi bộ): 2 HTXSNV, 13 HTTNV, 01 HTNV.", patterns=P)
    first = doc.figures[0]
    assert (first.category.value, first.count, first.unit) == ("TONG_SO", 16, "Đảng bộ xã Tường Khê")
    assert figures("Năm 2023 có ba chi bộ bản vùng cao bị xếp loại không hoàn thành nhiệm vụ.") == [
        ("CHI_BO", "KHTNV", 3, None)]


def test_trong_do_after_a_parenthesis_breaks_down_the_figure_before_it():
    doc = extract("Năm 2025, 1.392 đồng chí thuộc diện chấm điểm, xếp loại (126 đồng chí được miễn theo quy định, 20 đồng "
                  "chí chưa xếp loại), trong đó 1.300 đồng chí được xếp loại hoàn thành tốt nhiệm vụ trở lên.", patterns=P)
    assert [(f.category.value, f.count) for f in doc.figures] == [
        ("DA_DANH_GIA", 1392), ("MIEN_DANH_GIA", 126), ("CHUA_DANH_GIA", 20), ("KHAC", 1300)]
    assert not [c for c in doc.checks if c.severity == "error"]


def test_a_unit_name_does_not_run_into_the_next_paragraph():
    doc = extract("Báo cáo năm 2018 của Huyện ủy Đồng Xuyên\n\nCập nhật: 23/01/2019\n\nNăm 2018 có 5 chi bộ hoàn thành tốt "
                  "nhiệm vụ.", patterns=P)
    assert doc.reporting_unit == "Huyện ủy Đồng Xuyên"


def test_a_merger_as_a_point_in_time_does_not_rule_out_figures():
    found = figures("Nhìn lại năm 2024, khi chưa hợp nhất, Đảng bộ xã Ngọc Lũ có 3/14 chi bộ hoàn thành xuất sắc nhiệm vụ.")
    assert found == [("CHI_BO", "HTXSNV", 3, None)]
    # a merger as the event counted still is a structure change
    assert figures("Năm 2025, Ban Thường vụ quyết định sáp nhập 14 chi bộ.") == []


def test_the_body_after_duoc_acts_and_is_not_what_is_counted():
    assert figures("Năm 2018 có 07 tổ chức được Ban Thường vụ Huyện ủy công nhận đạt trong sạch, vững mạnh.") == [
        ("TCCSD", "TSVM", 7, None)]


def test_a_percent_of_a_rate_and_a_chain_of_rating_verbs():
    doc = extract("Năm 2025, tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ bằng 17,86% tỷ lệ hoàn thành tốt nhiệm vụ.",
                  patterns=P)
    assert [(f.category.value, f.percent, f.percent_of) for f in doc.figures] == [("HTXSNV", 17.86, "HTTNV")]
    assert figures("Năm 2025, 100% đảng viên thuộc diện đánh giá được xếp loại hoàn thành tốt nhiệm vụ trở lên.") == [
        ("DANG_VIEN", "KHAC", None, 100.0)]


def test_coordinated_counts_whose_nouns_are_described():
    found = figures("Năm 2025 có 17 tập thể lãnh đạo, quản lý, 62 cá nhân thuộc diện Ban Thường vụ Đảng ủy xã quản lý và "
                    "38 tổ chức cơ sở đảng đã tiến hành kiểm điểm.")
    assert [(subject, count) for subject, _, count, _ in found] == [("TAP_THE", 17), ("CAN_BO", 62), ("TCCSD", 38)]
    assert {category for _, category, _, _ in found} == {"DA_DANH_GIA"}


def test_a_rise_to_a_level_is_the_level_not_a_change():
    doc = extract("Năm 2010, tỷ lệ đảng viên đủ tư cách hoàn thành tốt nhiệm vụ là 84,6%; năm 2011, tăng lên 86,95% với "
                  "2.398 đồng chí.", patterns=P)
    assert [(f.year, f.count, f.percent, f.change) for f in doc.figures] == [
        (2010, None, 84.6, None), (2011, 2398, 86.95, None)]


def test_named_units_with_their_shares_without_parentheses():
    doc = extract("Năm 2024, tỷ lệ đảng viên HTXSNV có sự chênh lệch: cao nhất là Đảng bộ Công an huyện Kỳ Lân với 19,4%, "
                  "tiếp đến Đảng bộ Công an thành phố Hòa Thái 18,7%, thấp nhất là Đảng bộ Công an huyện Phù Vân 10,8%.",
                  patterns=P)
    assert [(f.category.value, f.percent, f.unit) for f in doc.figures] == [
        ("HTXSNV", 19.4, "Đảng bộ Công an huyện Kỳ Lân"), ("HTXSNV", 18.7, "Đảng bộ Công an thành phố Hòa Thái"),
        ("HTXSNV", 10.8, "Đảng bộ Công an huyện Phù Vân")]


def test_awards_and_self_claimed_ratings_are_not_results():
    assert figures("Năm 2024, Đảng ủy Công an tỉnh tặng Giấy khen cho 05 tổ chức cơ sở đảng trong sạch, vững mạnh tiêu "
                   "biểu.") == []
    assert figures("Năm 2022, có 5 chi bộ tự nhận mức hoàn thành xuất sắc nhiệm vụ nhưng không chứng minh được.") == []


def test_a_short_form_of_the_reporting_unit_and_a_year_in_parentheses_after_a_count():
    doc = extract("Đảng ủy Công an tỉnh Thái Sơn tổng kết năm 2024\n\nNăm 2024, Đảng bộ Công an tỉnh có 41 tổ chức cơ sở "
                  "đảng. Số yếu kém giảm dần: 17 tổ chức (năm 2008), 11 tổ chức (năm 2009).", patterns=P)
    assert doc.figures[0].unit == "Đảng ủy Công an tỉnh Thái Sơn"
    assert [(f.count, f.year) for f in doc.figures[1:]] == [(17, 2008), (11, 2009)]


def test_chi_bo_lines_state_a_total_and_its_parts():
    doc = extract("Năm 2021, Chi bộ thôn Đông Hạ có 35 đảng viên, 5 đồng chí hoàn thành xuất sắc nhiệm vụ; Chi bộ thôn Bến "
                  "Sung có 41 đảng viên, trong đó 6 đồng chí hoàn thành xuất sắc nhiệm vụ.", patterns=P)
    assert [(f.category.value, f.count, f.unit) for f in doc.figures] == [
        ("TONG_SO", 35, "Chi bộ thôn Đông Hạ"), ("HTXSNV", 5, "Chi bộ thôn Đông Hạ"),
        ("TONG_SO", 41, "Chi bộ thôn Bến Sung"), ("HTXSNV", 6, "Chi bộ thôn Bến Sung")]


def test_units_named_as_examples_are_not_the_unit_of_later_figures():
    doc = extract("Đảng bộ xã Phú Điền Hạ năm 2021\n\nNăm 2021, 2 chi bộ hoàn thành xuất sắc nhiệm vụ là Chi bộ thôn Trại "
                  "Mới và Chi bộ Công an xã; 11 chi bộ hoàn thành tốt nhiệm vụ; 1 chi bộ hoàn thành nhiệm vụ (Chi bộ thôn "
                  "Gò Mít); không có chi bộ không hoàn thành nhiệm vụ.", patterns=P)
    assert {f.unit for f in doc.figures} == {"Đảng bộ xã Phú Điền Hạ"}


def test_after_the_congress_is_a_point_in_time():
    assert ("CHI_BO", "TONG_SO", 14, None) in figures(
        "Năm 2021, sau Đại hội Đảng bộ xã lần thứ XXV, Đảng bộ xã hiện có 14 chi bộ trực thuộc với 386 đảng viên.")


def test_a_unit_whose_name_the_reporting_unit_extends_is_not_short_for_it():
    doc = extract("Đảng bộ huyện Điện Biên Đông năm 2017\n\nNăm 2017, Đảng bộ huyện Điện Biên có 69 tổ chức cơ sở đảng.",
                  patterns=P)
    assert [f.unit for f in doc.figures] == ["Đảng bộ huyện Điện Biên"]


def test_a_population_followed_by_where_its_members_are():
    found = figures("Năm 2022, toàn Đảng bộ huyện có 5.236 đảng viên sinh hoạt tại 118 tổ chức cơ sở đảng.")
    assert found == [("DANG_VIEN", "TONG_SO", 5236, None), ("TCCSD", "TONG_SO", 118, None)]
