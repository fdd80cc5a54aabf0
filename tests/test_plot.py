"""xeploai plot: the pictures of a panel, as PNG files of the size set, drawn from what the documents state."""

import struct

import pytest

from extractor import InputError
from extractor.cli import main
from extractor.plot import DPI, NOT_STATED, SIZE, Row, placed, plot, shares

from .conftest import ROOT

REPORTS = {  # two documents of one district over three years, and another district's
    "a.txt": "Năm 2021, Đảng bộ huyện Tân Lạc có 50 tổ chức cơ sở đảng được đánh giá, trong đó 9 tổ chức (chiếm 18%) "
             "hoàn thành xuất sắc nhiệm vụ, 38 tổ chức hoàn thành tốt nhiệm vụ và 3 tổ chức hoàn thành nhiệm vụ.",
    "b.txt": "Năm 2022, Đảng bộ huyện Tân Lạc có 51 tổ chức cơ sở đảng được đánh giá, trong đó 10 tổ chức (chiếm "
             "19,61%) hoàn thành xuất sắc nhiệm vụ, 39 tổ chức hoàn thành tốt nhiệm vụ. Năm 2023, Đảng bộ huyện Tân "
             "Lạc có 52 tổ chức cơ sở đảng được đánh giá, trong đó 10 tổ chức (chiếm 19,23%) hoàn thành xuất sắc "
             "nhiệm vụ.",
    "c.txt": "Năm 2022, Đảng bộ huyện Mai Châu có 40 tổ chức cơ sở đảng được đánh giá, trong đó 6 tổ chức (chiếm 15%) "
             "hoàn thành xuất sắc nhiệm vụ. Năm 2023, Đảng bộ huyện Mai Châu có 6 tổ chức (chiếm 14,63%) hoàn thành "
             "xuất sắc nhiệm vụ.",
}


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path.name} is no PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    pytest.importorskip("duckdb")
    folder = tmp_path_factory.mktemp("plot")
    reports = folder / "reports"
    reports.mkdir()
    for name, text in REPORTS.items():
        (reports / name).write_text(text, encoding="utf-8")
    assert main(["extract", str(reports), "-o", str(folder / "out"), "-q"]) == 0
    assert main(["panel", str(folder / "out"), "--to", str(folder / "panel.duckdb"), "-q"]) == 0
    return folder / "panel.duckdb"


def test_plot_writes_each_picture_as_a_png_of_the_size_set(panel, tmp_path):
    assert main(["plot", str(panel), "-o", str(tmp_path / "pictures"), "-q"]) == 0
    names = sorted(p.name for p in (tmp_path / "pictures").iterdir())
    assert names == ["map.png", "series.png", "shares.png"]
    for name in names:
        assert _png_size(tmp_path / "pictures" / name) == (int(SIZE[0] * DPI), int(SIZE[1] * DPI))


def test_the_same_panel_gives_the_same_pictures(panel, tmp_path):
    for run in ("one", "two"):
        assert main(["plot", str(panel), "-o", str(tmp_path / run), "-q"]) == 0
    for name in ("map.png", "series.png", "shares.png"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_shares_are_of_the_rated_with_what_no_document_states_left_grey():
    rows = [Row("huyen tan lac", "Đảng bộ huyện Tân Lạc", 2008, "TCCSD", "TSVM", 53, 78, 64.94),
            Row("huyen tan lac", "Đảng bộ huyện Tân Lạc", 2023, "TCCSD", "DA_DANH_GIA", 52, None, None),
            Row("huyen tan lac", "Đảng bộ huyện Tân Lạc", 2023, "TCCSD", "HTXSNV", 10, None, 19.23),
            Row("huyen tan lac", "Đảng bộ huyện Tân Lạc", 2023, "TCCSD", "TSVM", 30, None, None),
            Row("huyen mai chau", "Đảng bộ huyện Mai Châu", 2023, "TCCSD", "HTXSNV", 6, None, None)]
    got = shares(rows, "huyen tan lac")["TCCSD"]
    assert got[2008] == {"TSVM": 53, NOT_STATED: 25}  # "53/78": 25 of the 78 rated are in no level stated
    # 2023 is of the newer scheme (HTXSNV): TSVM, an award since 2018, is no level of it
    assert got[2023] == {"HTXSNV": 10, NOT_STATED: 42}


def test_a_panel_that_is_not_one_is_a_clear_error(tmp_path, capsys):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["plot", str(other), "-o", str(tmp_path / "pictures")]) == 2
    err = capsys.readouterr().err
    assert "notes.csv" in err and "not a panel" in err and "Traceback" not in err
    with pytest.raises(InputError):
        plot(tmp_path / "panel.txt", tmp_path / "pictures")


def test_a_picture_the_panel_holds_nothing_for_is_named_and_the_others_drawn(panel, tmp_path, capsys):
    assert main(["plot", str(panel), "-o", str(tmp_path / "pictures"), "--province", "Tỉnh Điện Biên"]) == 1
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == ["series.png", "shares.png"]
    assert "not drawn" in capsys.readouterr().err


def test_the_map_places_each_unit_of_the_province_with_its_latest_percent():
    rows = [Row("a", "Đảng bộ huyện A", 2022, "TCCSD", "HTXSNV", 6, None, 15.0, "Tỉnh X", 21.0, 103.0),
            Row("a", "Đảng bộ huyện A", 2023, "TCCSD", "HTXSNV", 7, None, 17.5, "Tỉnh X", 21.0, 103.0),
            Row("b", "Đảng bộ huyện B", 2023, "TCCSD", "HTXSNV", 5, None, 12.0, "Tỉnh X", 21.2, 103.1),
            Row("c", "Đảng bộ huyện C", 2023, "TCCSD", "HTXSNV", 5, None, 12.0, "Tỉnh Y", 20.0, 105.0),
            Row("d", "Đảng bộ huyện D", 2023, "TCCSD", "HTXSNV", 5, None, 12.0, None, None, None)]
    province, units = placed(rows, "TCCSD", "HTXSNV")
    assert province == "Tỉnh X"
    assert units == [("Đảng bộ huyện A", 103.0, 21.0, 17.5, 2023), ("Đảng bộ huyện B", 103.1, 21.2, 12.0, 2023)]


def test_the_readme_shows_a_picture_that_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Pictures of a panel", 1)[1].split("\n#", 1)[0]
    picture = section.split("](", 1)[1].split(")", 1)[0]
    assert _png_size(ROOT / picture)
