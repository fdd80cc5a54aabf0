"""The review page — in headless Chromium — and the ways back to gold: verdicts and drafts.

The browser tests check the page's structure, never its speed (benchmarks/review_scale.py times it):
one document's text in the DOM at a time, the spans and their nesting, failing checks marked by an
icon, the document list's counts, filter and sort, tooltips inside the window, and the verdicts a
reviewer saves, which 'xeploai annotate --verdicts' turns into gold drafts.
"""

import json
import os
import shutil

import pytest

from extractor import evaluate as ev
from extractor.cli import main
from extractor.models import Category, Document
from extractor.review import COLOURS, FIELDS, KEY_FIELDS, VERDICTS_FILE, VERDICTS_FORMAT, Item, render
from extractor.verdicts import ABOUT, VerdictsFile

from .conftest import SEEDS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLANTED = ("<script>window.__planted = true; document.title = 'pwned'</script>"
           "<img src=x onerror=\"window.__planted = true\">")
SEED = "004_bd72894cf1e29a41"  # one error check, on f3
FLAGGED = "002_bbf9fef7f52ef7a1"  # error, warning and info checks
NESTED_TEXT = "\U0001F600 Có 61 tập thể, 347 cá nhân tiến hành kiểm điểm. Năm 2019 có 7 chi bộ yếu kém."


# --- colours and the page data ---------------------------------------------------------------------------

def _lab(colour: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _distance(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_lab(a), _lab(b))) ** 0.5


def _contrast(background: str, text: str = "#222222") -> float:
    def luminance(colour: str) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(background), luminance(text)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_neighbouring_levels_have_distinct_colours_that_text_reads_on():
    levels = [c.value for c in Category]
    assert list(COLOURS) == levels, "one colour a category, in the contract's order"
    for a, b in zip(levels, levels[1:]):
        assert _distance(COLOURS[a], COLOURS[b]) >= 25, (a, b)  # CIE76: a difference seen at a glance
    for i, a in enumerate(levels):
        for b in levels[i + 1:]:
            assert _distance(COLOURS[a], COLOURS[b]) >= 12, (a, b)
        assert _contrast(COLOURS[a]) >= 4.5, a  # WCAG AA for the text on it


def test_article_text_is_escaped():
    doc = {"doc_id": "x", "figures": [], "checks": [], "title": PLANTED}
    page = render([Item(doc, "Trước " + PLANTED + " sau")])
    assert "<script>window.__planted" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def _nested_doc() -> dict:
    def span(part: str, after: int = 0) -> dict:
        start = NESTED_TEXT.index(part, after)
        return {"start": start, "end": start + len(part), "text": part}

    figures = [("f1", "TAP_THE", "DA_DANH_GIA", 61, span("61 tập thể, 347 cá nhân tiến hành kiểm điểm")),
               ("f2", "CAN_BO", "DA_DANH_GIA", 347, span("347 cá nhân tiến hành kiểm điểm")),
               ("f3", "CHI_BO", "TONG_SO", None, span("kiểm điểm. Năm 2019")),  # runs past the end of f1
               ("f4", "CHI_BO", "YEU_KEM", 7, span("7 chi bộ yếu kém"))]
    doc = {"doc_id": "nested", "title": "Nested spans", "year": 2019, "text": NESTED_TEXT,
           "figures": [{"id": i, "subject": s, "category": c, "year": 2019, "count": n, "evidence": e}
                       for i, s, c, n, e in figures],
           "checks": [{"kind": "parts_mismatch", "severity": "error", "figures": ["f4"], "message": "f4 is wrong"},
                      {"kind": "percent_unexplained", "severity": "warning", "figures": ["f2"], "message": "f2?"},
                      {"kind": "htxsnv_quota", "severity": "info", "figures": ["f1"], "message": "a note"}]}
    return Document.model_validate(doc).model_dump(mode="json")


def _data_lines(page: str) -> list[dict]:
    import html

    block = page.split('<div id="corpus" hidden>')[1].split("</div>")[0]
    return [json.loads(line) for line in html.unescape(block).split("\n")]


def _decoded(row: list, head: dict) -> dict:
    """A figure row of the page data read back as the page's script reads it."""
    figure = {"evidence": {"start": row[0], "end": row[1], "text": row[2]}}
    for j, name in enumerate(head["fields"]):
        value = row[j + 3] if j + 3 < len(row) else None
        if value is not None and name in head["interned"]:
            value = [head["strings"][i] for i in value] if isinstance(value, list) else head["strings"][value]
        figure[name] = value
    return figure


def test_page_data_is_compact_one_line_a_document():
    doc = _nested_doc()
    doc["figures"][0].update(rules=["shape.a", "number.count"], derived=["percent"], label="tập thể")
    doc["figures"][1].update(rules=["shape.a"], change={"value": 1.5, "unit": "pp", "since": 2018})
    page = render([Item(doc, NESTED_TEXT), Item({**doc, "doc_id": "no text"}, None)])
    head, with_text, without = _data_lines(page)
    assert head["fields"] == list(FIELDS) and set(KEY_FIELDS) <= set(FIELDS) and set(head["interned"]) <= set(FIELDS)
    assert head["format"] == VERDICTS_FORMAT and head["file"] == VERDICTS_FILE
    assert VerdictsFile.model_fields["xeploai"].annotation.__args__ == (VERDICTS_FORMAT["xeploai"],)
    assert with_text["text"] == NESTED_TEXT and len(with_text["figures"]) == 4
    assert sorted(head["strings"]) == sorted(set(head["strings"])), "each string once"
    assert head["strings"].count("shape.a") == 1 and len(with_text["figures"][3]) < 3 + len(FIELDS), \
        "a rule id is held once, and a row leaves out its trailing nulls"
    for row, figure in zip(with_text["figures"], doc["figures"]):
        decoded = _decoded(row, head)
        assert decoded["evidence"]["text"] is None, "the evidence text is cut from the document's text"
        assert decoded["evidence"] | {"text": figure["evidence"]["text"]} == figure["evidence"]
        assert {k: v for k, v in decoded.items() if k != "evidence"} == {
            name: None if figure.get(name) == [] else figure.get(name) for name in FIELDS}
    assert [_decoded(r, head)["evidence"] for r in without["figures"]] == [f["evidence"] for f in doc["figures"]]
    assert without["text"] is None
    assert page.count('<li data-i="') == 2 and page.count("<mark") == 0, "marks are made only for the document shown"


# --- the page in Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    inputs = folder / "in"
    inputs.mkdir()
    for path in SEEDS:
        shutil.copy(path, inputs / path.name)
    (inputs / "planted.txt").write_text(
        "Năm 2019, Đảng bộ có 9 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ. " + PLANTED, encoding="utf-8")
    out = folder / "out"
    assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 0
    (out / "nested.json").write_text(json.dumps(_nested_doc(), ensure_ascii=False), encoding="utf-8")
    target = folder / "review.html"
    assert main(["review", str(out), "-o", str(target)]) == 0
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    return target, docs, out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def tab(page, browser):
    """A new tab on the page, which must load with no console error and no request off the file."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    problems, requests = [], []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "blob:")) else None)
    tab.goto(page[0].as_uri())
    yield tab
    assert problems == [], "no console errors"
    assert requests == [], "the page needs no network"
    context.close()


def _open(tab, doc_id: str):
    tab.locator(f'#documents li[data-doc="{doc_id}"] a').click()
    assert tab.locator("#document h2").count() == 1 and tab.evaluate("location.hash") == f"#{doc_id}"


def test_one_document_is_in_the_dom_at_a_time(page, tab):
    _, docs, _ = page
    first = sorted(docs)[0]
    assert tab.locator("#corpus").count() == 0, "the data block is read once and removed"
    assert tab.locator(".text").count() == 1
    assert tab.locator("#documents li.current").get_attribute("data-doc") == first
    html_now = tab.content()
    assert docs[first]["figures"][0]["evidence"]["text"] in tab.locator(".text").inner_text()
    assert "61 tập thể, 347 cá nhân" not in html_now, "another document's text is not there"
    for doc_id, doc in sorted(docs.items()):
        _open(tab, doc_id)
        assert tab.locator(".text").count() == 1
        assert tab.locator("mark.fig").count() == len(doc["figures"]), doc_id
        assert tab.locator("table.figures tbody tr").count() == len(doc["figures"]), doc_id
    assert first not in tab.locator("#document").inner_text()
    tab.go_back()
    assert tab.locator("#documents li.current").get_attribute("data-doc") == sorted(docs)[-2], "back goes back"


def test_spans_nest_and_match_their_evidence(page, tab):
    _, docs, _ = page
    _open(tab, "nested")
    text = tab.locator(".text").inner_text()
    assert text == NESTED_TEXT, "the text, whole, as text (the icons are no characters of it)"
    marks = {m.get_attribute("id"): m for m in tab.locator("mark.fig").all()}
    evidence = {f"m{k}": f["evidence"]["text"] for k, f in enumerate(docs["nested"]["figures"])}
    for mark_id in ("m0", "m1", "m3"):
        assert marks[mark_id].inner_text() == evidence[mark_id], "offsets in code points, past an emoji"
    assert marks["m2"].inner_text() == "kiểm điểm", "a span past the end of an open one is cut to nest inside it"
    parents = tab.evaluate("['m0', 'm1', 'm2', 'm3'].map(id => document.getElementById(id).parentElement.id)")
    assert parents == ["", "m0", "m1", ""], "f2 nests in f1, and f3 in f2 where it starts"


def test_rows_and_check_links_go_to_their_span(page, tab):
    target, docs, _ = page
    _open(tab, SEED)
    row = tab.locator("table.figures tbody tr").nth(2)
    row.locator("td").nth(1).click()
    marked = tab.locator("mark.fig.marked")
    assert marked.count() == 1 and marked.first.get_attribute("id") == row.get_attribute("data-target")
    assert docs[SEED]["figures"][2]["evidence"]["text"] == marked.first.inner_text()
    link = tab.locator(".checks button.link").first
    link.click()
    assert tab.locator("mark.fig.marked").first.get_attribute("id") == link.get_attribute("data-target")
    _open(tab, "planted")
    assert tab.evaluate("window.__planted === undefined"), "a planted script must not run"
    assert tab.title() == "xeploai review"
    assert "<script>window.__planted" in tab.locator(".text").inner_text()


def test_figures_that_fail_a_check_carry_an_icon(page, tab):
    _, docs, _ = page
    for doc_id in (FLAGGED, "nested"):
        _open(tab, doc_id)
        worst: dict[str, str] = {}
        for check in docs[doc_id]["checks"]:
            for figure_id in check["figures"]:
                if check["severity"] == "error" or (check["severity"] == "warning" and worst.get(figure_id) != "error"):
                    worst[figure_id] = check["severity"]
        assert worst, doc_id
        rows = tab.locator("table.figures tbody tr")
        for k, figure in enumerate(docs[doc_id]["figures"]):
            severity = worst.get(figure["id"])
            mark, row = tab.locator(f"#m{k}"), rows.nth(k)
            icon = tab.evaluate(f"getComputedStyle(document.getElementById('m{k}'), '::before').content")
            if severity:
                assert f"fails-{severity}" in mark.get_attribute("class").split()
                assert icon not in ("none", "normal", ""), "an icon, not colour alone"
                assert row.locator(f"td.flag .icon-{severity}").get_attribute("aria-label").startswith("fails")
                assert f"fails-{severity}" in row.get_attribute("class").split()
            else:
                assert icon in ("none", "normal") and row.locator(".icon").count() == 0, (doc_id, figure["id"])
    assert tab.locator(".checks li.error .icon-error").count() == 1


def _visible(tab) -> list[str]:
    return tab.evaluate("Array.from(document.querySelectorAll('#documents li')).filter(li => !li.hidden)"
                        ".map(li => li.dataset.doc)")


def test_the_list_counts_filters_and_sorts_by_errors_and_warnings(page, tab):
    _, docs, _ = page
    count = {d: {s: sum(c["severity"] == s for c in doc["checks"]) for s in ("error", "warning")}
             for d, doc in docs.items()}
    for li in tab.locator("#documents li").all():
        doc_id = li.get_attribute("data-doc")
        shown = li.locator(".counts").inner_text()
        errors, warnings = count[doc_id]["error"], count[doc_id]["warning"]
        assert f"{errors} error{'' if errors == 1 else 's'}" in shown and f"{warnings} warning" in shown, doc_id
        assert f"{len(docs[doc_id]['figures'])} figures" in shown
    assert _visible(tab) == sorted(docs) and tab.locator("#listed").inner_text() == f"{len(docs)} of {len(docs)} documents"
    tab.select_option("#filter", "errors")
    assert _visible(tab) == sorted(d for d in docs if count[d]["error"])
    tab.select_option("#filter", "clean")
    assert _visible(tab) == sorted(d for d in docs if not count[d]["error"] and not count[d]["warning"])
    tab.select_option("#filter", "all")
    tab.select_option("#sort", "errors")
    assert _visible(tab) == sorted(docs, key=lambda d: (-count[d]["error"], d))
    tab.select_option("#sort", "warnings")
    assert _visible(tab) == sorted(docs, key=lambda d: (-count[d]["warning"], d))
    tab.select_option("#filter", "errors")
    tab.locator("#documents li:not([hidden]) a").first.click()
    tab.locator("#document button.next").click()
    assert tab.locator("#documents li.current").get_attribute("data-doc") == _visible(tab)[1], "next in the list shown"
    tab.select_option("#filter", "all")
    tab.fill("#find", "nested")
    assert _visible(tab) == ["nested"]


def _first_rect(tab, mark_id: str) -> dict:
    return tab.evaluate(f"(() => {{ const r = document.getElementById('{mark_id}').getClientRects()[0]; "
                        "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })()")


def _settle(tab) -> None:
    """After a scroll: its events come with the next frame (and hide a tooltip the pointer opened)."""
    tab.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")


def _tip_box(tab) -> dict:
    assert tab.locator("#tip").is_visible()
    return tab.evaluate("(() => { const r = document.getElementById('tip').getBoundingClientRect(); "
                        "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}; })()")


def test_tooltips_stay_inside_the_window(tab):
    width, height = 900, 600
    tab.set_viewport_size({"width": width, "height": height})
    _open(tab, SEED)
    # The mark that starts farthest right: a tooltip left-aligned with it would run out of the window.
    rightmost = tab.evaluate("(() => { let best = null, left = -1; document.querySelectorAll('mark.fig').forEach(m => {"
                             " m.scrollIntoView({block: 'center'}); const r = m.getClientRects()[0];"
                             " if (r.left > left) { left = r.left; best = m.id; } }); return best; })()")
    tab.evaluate(f"document.getElementById('{rightmost}').scrollIntoView({{block: 'center'}})")
    _settle(tab)
    rect = _first_rect(tab, rightmost)
    tab.mouse.move(rect["left"] + 2, (rect["top"] + rect["bottom"]) / 2)
    box = _tip_box(tab)
    assert rect["left"] + box["width"] > width, "the case needs a mark near the right edge"
    assert 0 <= box["left"] and box["right"] <= width and 0 <= box["top"] and box["bottom"] <= height
    assert tab.locator(f"#{rightmost}").get_attribute("aria-describedby") == "tip"
    tab.mouse.move(5, 5)
    assert tab.locator("#tip").is_hidden()
    # A mark at the foot of the window: its tooltip flips above it.
    tab.evaluate("document.getElementById('m0').scrollIntoView({block: 'end'})")
    _settle(tab)
    tab.evaluate("document.getElementById('m0').focus({preventScroll: true})")
    rect, box = _first_rect(tab, "m0"), _tip_box(tab)
    assert rect["bottom"] + (box["bottom"] - box["top"]) > height, "the case needs a mark with no room below it"
    assert box["bottom"] <= rect["top"] and 0 <= box["top"] and box["right"] <= width
    tab.evaluate("window.scrollBy(0, 40)")  # a focused mark's tooltip follows it
    _settle(tab)
    moved, box = _first_rect(tab, "m0"), _tip_box(tab)
    assert moved["top"] < rect["top"] and abs(box["bottom"] - (moved["top"] - 6)) < 1.5
    tab.keyboard.press("Escape")
    assert tab.locator("#tip").is_hidden()


def _judge(tab, row: int, verdict: str, note: str = "", pressed: bool = True) -> None:
    cells = tab.locator("table.figures tbody tr").nth(row)
    cells.locator(f"button.v-{verdict}").click()
    if note:
        cells.locator("td.note input").fill(note)
    assert cells.locator(f"button.v-{verdict}").get_attribute("aria-pressed") == str(pressed).lower()


def test_verdicts_saved_on_the_page_become_a_gold_draft(page, tab, tmp_path, capsys):
    _, docs, out = page
    _open(tab, "nested")
    for row, verdict in ((0, "correct"), (1, "wrong"), (2, "correct"), (3, "correct")):
        _judge(tab, row, verdict, note="not a count of chi bộ" if row == 1 else "")
    _judge(tab, 3, "wrong")  # changed its mind
    _open(tab, SEED)
    _judge(tab, 0, "correct")
    _judge(tab, 1, "wrong")
    _judge(tab, 2, "correct")
    _judge(tab, 2, "correct", pressed=False)  # pressed again: not marked any more
    assert "2/17 marked" in tab.locator(f'#documents li[data-doc="{SEED}"] .counts').inner_text()
    with tab.expect_download() as download:
        tab.click("#save")
    assert download.value.suggested_filename == VERDICTS_FILE
    saved = tmp_path / VERDICTS_FILE
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert [(v["doc_id"], v["figure_id"], v["verdict"]) for v in data["verdicts"]] == [
        (SEED, "f1", "correct"), (SEED, "f2", "wrong"),
        ("nested", "f1", "correct"), ("nested", "f2", "wrong"), ("nested", "f3", "correct"), ("nested", "f4", "wrong")]
    nested = data["verdicts"][3]
    assert nested["note"] == "not a count of chi bộ" and nested["evidence"] == docs["nested"]["figures"][1]["evidence"]
    assert nested["fields"] == {k: docs["nested"]["figures"][1].get(k) for k in KEY_FIELDS}

    gold = tmp_path / "gold"
    assert main(["annotate", str(out), "--verdicts", str(saved), "-o", str(gold)]) == 0
    assert "nested f2: marked wrong, left out (not a count of chi bộ)" in capsys.readouterr().err
    draft = json.loads((gold / "nested.json").read_text(encoding="utf-8"))
    assert draft["reviewed"] is False and [f["id"] for f in draft["figures"]] == ["f1", "f3"], "those marked correct"
    assert [w["id"] for w in draft["verdicts"]["wrong"]] == ["f2", "f4"] and draft["verdicts"]["unmarked"] == []
    seed = json.loads((gold / f"{SEED}.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in seed["figures"]] == [f["id"] for f in docs[SEED]["figures"] if f["id"] != "f2"]
    assert seed["verdicts"]["correct"] == ["f1"] and seed["verdicts"]["unmarked"][0] == "f3"
    assert seed["verdicts"]["about"] == ABOUT
    assert ev.source_path(gold / f"{SEED}.json", seed).read_bytes() == SEEDS[4].read_bytes(), "evaluate finds it"

    fresh = tab.context.new_page()
    fresh.goto(page[0].as_uri() + "#nested")
    fresh.set_input_files("#load", str(saved))
    fresh.wait_for_function("document.getElementById('status').textContent.includes('loaded')")
    assert "6 verdicts loaded" in fresh.locator("#status").inner_text()
    pressed = fresh.locator("table.figures tbody tr button[aria-pressed=true]")
    assert [b.get_attribute("data-verdict") for b in pressed.all()] == ["correct", "wrong", "correct", "wrong"]
    assert fresh.locator("tbody tr").nth(1).locator("td.note input").input_value() == "not a count of chi bộ"


# --- annotate --verdicts on its own ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("verdicts") / "out"
    assert main(["extract", str(SEEDS[4]), "-o", str(out), "--no-progress"]) == 0
    return out, json.loads((out / f"{SEED}.json").read_text(encoding="utf-8"))


def _verdict(doc: dict, k: int, verdict: str | None, note: str = "") -> dict:
    figure = doc["figures"][k]
    return {"doc_id": doc["doc_id"], "figure_id": figure["id"], "verdict": verdict, "note": note,
            "fields": {name: figure.get(name) for name in KEY_FIELDS}, "evidence": figure["evidence"]}


def _write_verdicts(path, entries) -> str:
    path.write_text(json.dumps({**VERDICTS_FORMAT, "verdicts": entries}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_annotate_verdicts_keeps_the_unmarked_figures_as_drafts(extracted, tmp_path, capsys):
    out, doc = extracted
    verdicts = _write_verdicts(tmp_path / "v.json", [_verdict(doc, 0, "wrong"), _verdict(doc, 1, None, "look again")])
    gold = tmp_path / "gold"
    assert main(["annotate", str(out), "--verdicts", verdicts, "-o", str(gold)]) == 0
    assert "0 figures marked correct, 1 marked wrong and left out, 16 not marked" in capsys.readouterr().err
    draft = json.loads((gold / f"{SEED}.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in draft["figures"]] == [f["id"] for f in doc["figures"][1:]]
    assert draft["verdicts"]["unmarked"] == [f["id"] for f in doc["figures"][1:]]
    assert draft["verdicts"]["notes"] == {doc["figures"][1]["id"]: "look again"}
    assert "rules" not in draft["figures"][0] and "derived" not in draft["figures"][0], "as annotate FILE drafts"
    assert main(["annotate", str(out), "--verdicts", verdicts, "-o", str(gold)]) == 0, "its own draft is replaced"
    reviewed = {**draft, "reviewed": True}
    (gold / f"{SEED}.json").write_text(json.dumps(reviewed, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["annotate", str(out), "--verdicts", verdicts, "-o", str(gold)]) == 2
    err = capsys.readouterr().err
    assert f"{SEED}.json: exists and is not a draft" in err and "--force" in err
    assert json.loads((gold / f"{SEED}.json").read_text(encoding="utf-8"))["reviewed"] is True
    assert main(["annotate", str(out), "--verdicts", verdicts, "-o", str(gold), "--force"]) == 0


def _changed(doc: dict) -> list[dict]:
    entry = _verdict(doc, 0, "correct")
    entry["fields"]["count"] = (entry["fields"]["count"] or 0) + 1
    return [entry]


@pytest.mark.parametrize("content, reason", [
    (b"not json at all", "not a verdicts file saved by the review page"),
    (b'{"doc_id": "x", "figures": []}', "not a verdicts file saved by the review page"),
    (lambda doc: [{**_verdict(doc, 0, "correct"), "verdict": "maybe"}], "verdicts.0.verdict"),
    (lambda doc: [], "holds no verdict"),
    (lambda doc: [{**_verdict(doc, 0, "correct"), "doc_id": "elsewhere"}], "doc_id 'elsewhere' is not in"),
    (lambda doc: [{**_verdict(doc, 0, "correct"), "figure_id": "f999"}], "figure 'f999' is not in"),
    (_changed, "is not the one reviewed (its count differ"),
    (lambda doc: [_verdict(doc, 0, "correct"), _verdict(doc, 0, "wrong")], "has two verdicts"),
], ids=["not-json", "an-output-document", "bad-verdict", "empty", "doc-not-in-out", "figure-not-in-doc",
        "figure-changed", "twice"])
def test_annotate_verdicts_refuses_a_file_it_cannot_apply(extracted, tmp_path, capsys, content, reason):
    out, doc = extracted
    path = tmp_path / "verdicts.json"
    if callable(content):
        _write_verdicts(path, content(doc))
    else:
        path.write_bytes(content)
    gold = tmp_path / "gold"
    assert main(["annotate", str(out), "--verdicts", str(path), "-o", str(gold)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and reason in err and "Traceback" not in err
    assert not gold.exists(), "nothing written"


def test_annotate_verdicts_wants_the_output_folder(extracted, tmp_path, capsys):
    out, doc = extracted
    verdicts = _write_verdicts(tmp_path / "v.json", [_verdict(doc, 0, "correct")])
    assert main(["annotate", str(out / f"{SEED}.json"), "--verdicts", verdicts, "-o", str(tmp_path / "g")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["annotate", str(out), "--verdicts", str(tmp_path / "missing.json"), "-o", str(tmp_path / "g")]) == 2
    assert "missing.json: cannot be read" in capsys.readouterr().err


def test_annotate_review_evaluate_round_trip(tmp_path, capsys):
    article = SEEDS[3]
    gold_dir = tmp_path / "gold"
    draft = gold_dir / f"{article.stem}.json"
    assert main(["annotate", str(article), "-o", str(draft)]) == 0
    data = json.loads(draft.read_text(encoding="utf-8"))
    assert data["reviewed"] is False and data["figures"]
    assert main(["evaluate", "--gold", str(gold_dir)]) == 2
    assert "not reviewed" in capsys.readouterr().err
    out = tmp_path / "out"
    main(["extract", str(article), "-o", str(out), "--no-progress"])
    assert main(["review", str(out), "-o", str(tmp_path / "review.html")]) == 0
    data["reviewed"] = True  # the person has read the article beside the draft and accepted it
    data["figures"] = [f for f in data["figures"] if f["category"] != "TSVM_TIEU_BIEU"]  # and removed one
    draft.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", "--gold", str(gold_dir), "--pred", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["gold"]
    assert report["overall"]["recall"] == 1.0 and report["overall"]["fp"] == 1
    assert main(["annotate", str(article), "-o", str(draft)]) == 2, "a reviewed file is not overwritten"
