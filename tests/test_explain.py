"""xeploai explain: the document's decisions, then each sentence's symbols, mentions and shapes tried."""

import subprocess
import sys

from extractor.cli import main
from extractor.explain import explain

PAGE = """Huyện ủy Đức Trọng tổng kết công tác xây dựng Đảng năm 2016, triển khai nhiệm vụ năm 2017
Cập nhật: 10/01/2017
Năm qua, toàn Đảng bộ huyện có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 80,36%); phấn đấu năm 2017 có 50 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.
Hằng năm, Đảng bộ luôn có trên 75% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.
Tin cùng chuyên mục
Huyện Lạc Dương: 98% đảng viên hoàn thành tốt nhiệm vụ
"""


def test_the_document_lines_give_the_year_its_reason_and_its_evidence():
    lines = explain(PAGE).splitlines()
    assert lines[0] == ("document: year 2016 (headline: the latest year of the headline); published 2017-01-10; "
                        "reporting unit Huyện ủy Đức Trọng")
    assert "  year evidence: 2017 from the headline «năm 2017», set aside: forward-looking" in lines
    assert "page: 2 body, 1 dateline, 1 headline, 2 sidebar" in lines


def test_each_sentence_shows_its_symbols_mentions_and_the_shapes_tried():
    text = explain(PAGE)
    assert "[3 body] Năm qua, toàn Đảng bộ huyện có 45 tổ chức cơ sở đảng" in text
    assert "  symbols: ,UNSC(P);XYNSC¶" in text
    assert "N «45» number.count; S «tổ chức cơ sở đảng» subject.tccsd" in text
    assert ("  shape.count_first @2-8: f1 TCCSD HTTNV count=45 percent=80.36; year 2016 (document), "
            "unit Huyện ủy Đức Trọng (reference)") in text
    assert "  shape.category_percent @4-8: inside the match before" in text
    assert "  shape.count_first @11-14: ruled out: a distractor in its clause" in text
    assert "  shape.percent_first @3-6: ruled out: every year of a period the text does not name" in text
    assert "[6 sidebar] Huyện Lạc Dương: 98% đảng viên hoàn thành tốt nhiệm vụ" in text
    assert "  shape.percent_first @2-5: ruled out: in the page's sidebar" in text


def test_a_failed_requirement_is_named():
    text = explain("Ban Thường vụ đã quyết định giải thể 14 tổ chức cơ sở đảng.")
    assert "shape.population @" in text and "requirement population_word_before does not hold" in text


def test_sentences_without_mentions_only_with_all():
    assert "[1 headline]" not in explain("Một câu không có số nào.")
    assert "[1 headline] Một câu không có số nào." in explain("Một câu không có số nào.", every_sentence=True)


def test_the_command_reads_a_file_and_stdin(tmp_path, capsys):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    assert main(["explain", str(path)]) == 0
    from_file = capsys.readouterr().out
    assert from_file == explain(PAGE)
    done = subprocess.run([sys.executable, "-m", "extractor.cli", "explain", "-"], input=PAGE.encode("utf-8"),
                          capture_output=True, check=False)
    assert done.returncode == 0 and done.stdout.decode("utf-8") == from_file


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    assert main(["explain", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    done = subprocess.run([sys.executable, "-m", "extractor.cli", "explain", "-"], input=b"\xff\xfe\x00bad",
                          capture_output=True, check=False)
    assert done.returncode == 2 and b"<stdin>" in done.stderr and b"Traceback" not in done.stderr
