"""The review page: spans, table, checks and escaping — in headless Chromium — and the gold round trip."""

import json
import os
import shutil

import pytest

from extractor.cli import main
from extractor.review import Item, highlighted, render

from .conftest import SEEDS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLANTED = ("<script>window.__planted = true; document.title = 'pwned'</script>"
           "<img src=x onerror=\"window.__planted = true\">")


def test_overlapping_spans_nest_and_every_figure_gets_one_mark():
    text = "có 64 tập thể, 349 cá nhân tiến hành kiểm điểm"
    figures = [{"id": "f1", "subject": "TAP_THE", "category": "DA_DANH_GIA", "evidence": {"start": 3, "end": 46}},
               {"id": "f2", "subject": "CAN_BO", "category": "DA_DANH_GIA", "evidence": {"start": 15, "end": 46}}]
    out = highlighted(text, figures, "d0")
    assert out.count("<mark") == 2 and out.count("</mark>") == 2
    assert out.index('id="d0-f1"') < out.index('id="d0-f2"') < out.index("</mark></mark>")


def test_article_text_is_escaped():
    doc = {"doc_id": "x", "figures": [], "checks": [], "title": PLANTED}
    page = render([Item(doc, "Trước " + PLANTED + " sau")])
    assert "<script>window.__planted" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


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
    target = folder / "review.html"
    assert main(["review", str(out), "-o", str(target)]) == 0
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    return target, docs


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


def test_review_page_in_chromium(page, browser, tmp_path):
    target, docs = page
    tab = browser.new_page()
    problems = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    requests = []
    tab.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
    tab.goto(target.as_uri())
    assert problems == [], "the page loads with no console errors"
    assert requests == [], "the page needs no network"

    sections = tab.locator("section.document")
    assert sections.count() == len(docs)
    for i in range(sections.count()):
        section = sections.nth(i)
        doc = docs[section.get_attribute("data-doc")]
        assert section.locator("mark.fig").count() == len(doc["figures"])
        assert section.locator("table.figures tbody tr").count() == len(doc["figures"])

    seed = tab.locator('section.document[data-doc="004_bd72894cf1e29a41"]')
    row = seed.locator("table.figures tbody tr").nth(2)
    target_id = row.get_attribute("data-target")
    row.click()
    marked = tab.locator("mark.fig.marked")
    assert marked.count() == 1 and marked.first.get_attribute("id") == target_id
    figure = docs["004_bd72894cf1e29a41"]["figures"][2]
    assert figure["evidence"]["text"].startswith(marked.first.inner_text()[:20])
    check_link = seed.locator(".checks a").first
    check_link.click()
    assert tab.locator("mark.fig.marked").first.get_attribute("id") == check_link.get_attribute("data-target")

    assert tab.evaluate("window.__planted === undefined"), "a planted script must not run"
    assert tab.title() == "xeploai review"
    planted = tab.locator('section.document[data-doc="planted"] .text')
    assert "<script>window.__planted" in planted.inner_text()
    tab.screenshot(path=str(tmp_path / "review.png"), full_page=False)
    assert (tmp_path / "review.png").stat().st_size > 0


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
