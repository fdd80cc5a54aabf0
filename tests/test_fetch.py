"""`xeploai fetch` against a local HTTP server: pages, a sitemap, a feed, a 404, a slow host, a redirect
loop, a huge page, a file that is no page, robots.txt; then the pages go on to figures.

The server listens on 127.0.0.1. The tests call it "tinhuy.test" (a name reserved for tests), which only
this file resolves, to 127.0.0.1: courlan does not take an IP address with a port for a site, and a name
nobody else resolves keeps every request on this machine. Delays and back-off are 0 on the command line,
and a fake clock measures them through the Python API, so no test waits for them.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from extractor import fetch
from extractor.batch import STATE_DIR
from extractor.cli import main

HOST = "tinhuy.test"
ARTICLE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<nav><a href="/">Trang chủ</a> | <a href="/tag/xay-dung-dang">Xây dựng Đảng</a></nav>
<article>
<h1>{title}</h1>
<p>Thực hiện hướng dẫn của Ban Tổ chức Tỉnh ủy, Ban Thường vụ Huyện ủy đã chỉ đạo các chi bộ, đảng bộ cơ sở
tiến hành kiểm điểm, đánh giá, xếp loại chất lượng tổ chức cơ sở đảng và đảng viên năm 2023 đúng quy trình.</p>
<p>{sentence}</p>
<p>Việc đánh giá được thực hiện công khai, dân chủ, gắn với kết quả thực hiện nhiệm vụ chính trị của từng
địa phương.</p>
</article>
<footer>© 2024 Cổng thông tin điện tử huyện</footer>
</body></html>
"""
AN_LAC = ("Đảng bộ huyện An Lạc có 52 tổ chức cơ sở đảng, trong đó 12 tổ chức (chiếm 23,08%) hoàn thành xuất sắc "
          "nhiệm vụ năm 2023.")
BINH_MINH = "Năm 2023, Đảng bộ xã Bình Minh có 30 đảng viên hoàn thành xuất sắc nhiệm vụ."
SLOW_SECONDS = 2.0  # longer than the --timeout of 1 s the tests give


def _page(title: str, sentence: str) -> bytes:
    return ARTICLE.format(title=title, sentence=sentence).encode("utf-8")


def _pages(base: str) -> dict[str, tuple[int, str, bytes]]:
    """path → (status, Content-Type, body) of the site."""
    articles = [f"{base}/tin/an-lac-2023.html", f"{base}/tin/binh-minh-2023.html"]
    others = [f"{base}/tag/xay-dung-dang", f"{base}/static/style.css", "http://other.example/tin/khac.html"]
    urlset = "".join(f"<url><loc>{u}</loc></url>" for u in articles + others)
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in articles + others[::2])
    return {
        "/": (200, "text/html; charset=utf-8", b"<html><body><a href='/tin/an-lac-2023.html'>tin</a></body></html>"),
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n\n"
                                           b"User-agent: chamchap\nCrawl-delay: 7\nDisallow: /private/\n"),
        "/tin/an-lac-2023.html": (200, "text/html; charset=utf-8", _page("Huyện An Lạc năm 2023", AN_LAC)),
        "/tin/binh-minh-2023.html": (200, "text/html; charset=utf-8", _page("Xã Bình Minh năm 2023", BINH_MINH)),
        "/private/bao-cao.html": (200, "text/html", _page("Nội bộ", AN_LAC)),
        "/sitemap.xml": (200, "application/xml", ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                                                  f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
                                                  ).encode()),
        "/feed.xml": (200, "application/rss+xml", (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Tin'
                                                   f'</title><link>{base}/</link>{items}</channel></rss>').encode()),
        "/bao-cao.pdf": (200, "application/pdf", b"%PDF-1.4 not a page"),
        "/huge.html": (200, "text/html", b"<html><body>" + b"<p>dong</p>" * 30_000 + b"</body></html>"),
    }


class _Site(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        server = self.server
        server.requests.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/slow.html":
            time.sleep(SLOW_SECONDS)
        if self.path in ("/loop-a", "/loop-b"):
            self.send_response(302)
            self.send_header("Location", "/loop-b" if self.path == "/loop-a" else "/loop-a")
            self.end_headers()
            return
        if self.path == "/flaky.html" and server.breaks > 0:
            server.breaks -= 1  # promises 5000 bytes, sends 100 and hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html>" + b" " * 94)
            return
        base = f"http://{HOST}:{server.server_port}"
        status, kind, body = _pages(base).get(self.path.replace("/flaky.html", "/tin/an-lac-2023.html"),
                                             (404, "text/html", b"<html>not found</html>"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up (the huge page)
                pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # a client that hung up is no error here
        pass


@pytest.fixture(scope="module")
def site():
    server = _Server(("127.0.0.1", 0), _Site)
    server.requests, server.breaks = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(site, monkeypatch):
    """The site, its request log emptied, with HOST resolved to it and every other name unknown."""
    real = socket.getaddrinfo

    def local_only(host, port, *args, **kwargs):
        if host == HOST:
            host = "127.0.0.1"
        elif host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    site.requests.clear()
    site.breaks = 0
    site.base = f"http://{HOST}:{site.server_port}"
    return site


QUICK = ["--delay", "0", "--backoff", "0", "--timeout", "1", "--allow-private-addresses"]


def _fetch(pages: Path, *args: str) -> int:
    return main(["fetch", *args, "-o", str(pages), *QUICK])


def _index(pages: Path) -> list[dict]:
    return [json.loads(line) for line in (pages / fetch.INDEX).read_text(encoding="utf-8").splitlines()]


def _errors(pages: Path) -> dict[str, str]:
    lines = (pages / fetch.ERRORS).read_text(encoding="utf-8").splitlines()
    return {e["url"]: e["reason"] for e in map(json.loads, lines)}


def _page_files(pages: Path) -> list[str]:
    return sorted(p.name for p in pages.iterdir() if p.name != STATE_DIR)


def _failure_of(pages: Path, capsys, url: str) -> str:
    """The reason recorded for URL, checked to be also the one line on stderr."""
    err = capsys.readouterr().err
    assert f"xeploai: error: {url}: " in err and "Traceback" not in err
    reason = _errors(pages)[url]
    assert f"{url}: {reason}\n" in err
    return reason


# --- pages ----------------------------------------------------------------------------------------------

def test_pages_are_stored_with_their_url_and_fetch_time(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    urls = [f"{server.base}/tin/an-lac-2023.html", f"{server.base}/tin/binh-minh-2023.html"]
    assert _fetch(pages, *urls) == 0
    entries = _index(pages)
    assert [e["url"] for e in entries] == urls
    for entry in entries:
        data = (pages / entry["file"]).read_bytes()
        assert entry["final_url"] == entry["url"] and entry["status"] == 200 and entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["fetched_at"].endswith("Z")
        assert entry["file"] == fetch.page_name(entry["url"]) and entry["file"].endswith(".html")
        assert fetch.url_of(pages / entry["file"]) == entry["url"]
    assert _page_files(pages) == sorted(e["file"] for e in entries)
    assert not (pages / fetch.ERRORS).exists()
    assert all(agent == fetch.USER_AGENT for _, agent in server.requests)
    assert "xeploai: 2 fetched, 0 already fetched, 0 failed" in capsys.readouterr().err


def test_a_page_name_is_stable_ascii_and_distinct():
    url = "https://tinhuy.test/tin-tuc/%C4%91%C3%A1nh-gi%C3%A1-x%E1%BA%BFp-lo%E1%BA%A1i.html?id=1"
    name = fetch.page_name(url)
    assert name == fetch.page_name(url) and name.isascii() and name.startswith("tinhuy-test-tin-tuc-anh-gia-xep-loai")
    assert fetch.page_name(url + "2") != name and len(fetch.page_name(url + "x" * 500)) < 100
    assert fetch.url_of(Path("/nowhere/page.html")) is None


def test_a_second_run_skips_what_it_has(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    url = f"{server.base}/tin/an-lac-2023.html"
    assert _fetch(pages, url) == 0
    first = _index(pages)
    server.requests.clear()
    assert _fetch(pages, url) == 0
    assert server.requests == [] and _index(pages) == first
    assert "0 fetched, 1 already fetched, 0 failed" in capsys.readouterr().err
    (pages / first[0]["file"]).unlink()  # listed, but its file is gone: fetched again
    assert _fetch(pages, url) == 0 and (pages / first[0]["file"]).is_file()


def test_force_fetches_again(server, tmp_path):
    pages = tmp_path / "pages"
    url = f"{server.base}/tin/an-lac-2023.html"
    assert _fetch(pages, url) == 0
    server.requests.clear()
    assert _fetch(pages, url, "--force") == 0
    assert [path for path, _ in server.requests] == ["/robots.txt", "/tin/an-lac-2023.html"]
    assert len(_index(pages)) == 1, "the index keeps one line per URL"


# --- sitemaps and feeds ---------------------------------------------------------------------------------

def test_a_sitemap_gives_its_articles_only(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    assert _fetch(pages, "--sitemap", f"{server.base}/sitemap.xml") == 0
    assert sorted(e["url"] for e in _index(pages)) == [f"{server.base}/tin/an-lac-2023.html",
                                                       f"{server.base}/tin/binh-minh-2023.html"]
    fetched = {path for path, _ in server.requests}
    assert not fetched & {"/tag/xay-dung-dang", "/static/style.css"}, "navigation pages and files are left out"
    assert f"{server.base}/sitemap.xml: 2 article URL(s)" in capsys.readouterr().err


def test_a_feed_gives_its_articles_only(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    assert _fetch(pages, "--feed", f"{server.base}/feed.xml") == 0
    assert sorted(e["url"] for e in _index(pages)) == [f"{server.base}/tin/an-lac-2023.html",
                                                       f"{server.base}/tin/binh-minh-2023.html"]
    assert f"{server.base}/feed.xml: 2 article URL(s)" in capsys.readouterr().err


def test_a_sitemap_without_articles_is_a_failure(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    url = f"{server.base}/missing-sitemap.xml"
    assert _fetch(pages, "--sitemap", url) == 1
    assert "no article URLs found in this sitemap" in _failure_of(pages, capsys, url)


def test_only_the_sites_articles_are_kept():
    links = ["https://baochinhphu.vn/ket-qua-danh-gia-102231.htm", "https://baochinhphu.vn/tag/dang-vien",
             "https://baochinhphu.vn/anh/le-trao.jpg", "https://baochinhphu.vn/", "https://other.example/tin/a.html",
             "https://baochinhphu.vn/ket-qua-danh-gia-102231.htm"]
    assert fetch.articles_of(links, "https://baochinhphu.vn/sitemap.xml") == [links[0]]


# --- failures -------------------------------------------------------------------------------------------

FAILURES = {  # case: (path, arguments, the reason recorded)
    "404": ("/tin/khong-co.html", [], "HTTP 404 Not Found"),
    "slow-host": ("/slow.html", ["--retries", "0"], "no answer within 1 s (--timeout)"),
    "redirect-loop": ("/loop-a", [], "too many redirects (a redirect loop?)"),
    "huge-page": ("/huge.html", ["--max-bytes", "100KB"], "larger than 102400 bytes (--max-bytes)"),
    "not-html": ("/bao-cao.pdf", [], "not HTML (Content-Type: application/pdf)"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failure_is_recorded_and_leaves_no_page(server, tmp_path, capsys, case):
    path, arguments, reason = FAILURES[case]
    pages = tmp_path / "pages"
    url = server.base + path
    started = time.monotonic()
    assert _fetch(pages, url, *arguments) == 1
    assert _failure_of(pages, capsys, url) == reason
    assert _page_files(pages) == [], "no page and no temporary file"
    # a slow host: trafilatura tries three times and waits 1 s once; those retries are not repeated
    assert time.monotonic() - started < 4 * 1 + SLOW_SECONDS


def test_robots_txt_is_obeyed_unless_no_robots(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    url = f"{server.base}/private/bao-cao.html"
    assert _fetch(pages, url) == 1
    assert _failure_of(pages, capsys, url) == "disallowed by robots.txt (--no-robots ignores it)"
    assert "/private/bao-cao.html" not in {path for path, _ in server.requests}
    assert _fetch(pages, url, "--no-robots") == 0
    assert [e["url"] for e in _index(pages)] == [url] and not (pages / fetch.ERRORS).exists()


def test_private_addresses_are_refused_by_default(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    url = f"{server.base}/tin/an-lac-2023.html"
    assert main(["fetch", url, "-o", str(pages), "--delay", "0", "--no-robots"]) == 1
    assert _failure_of(pages, capsys, url) == ("refused: a private or local address (--allow-private-addresses "
                                               "allows it)")
    assert server.requests == []


def test_failures_are_recorded_and_the_run_goes_on(server, tmp_path, capsys):
    pages = tmp_path / "pages"
    good = f"{server.base}/tin/an-lac-2023.html"
    bad = [f"{server.base}/tin/khong-co.html", f"{server.base}/loop-a", "ftp://tinhuy.test/x.html",
           "http://nowhere.test/tin/a.html"]
    assert _fetch(pages, bad[0], bad[1], good, bad[2], bad[3]) == 1
    assert [e["url"] for e in _index(pages)] == [good]
    assert _errors(pages) == {bad[0]: "HTTP 404 Not Found", bad[1]: "too many redirects (a redirect loop?)",
                              bad[2]: "not an http(s) URL",
                              bad[3]: "robots.txt could not be read (unknown host), so the site is not fetched "
                                      "(--no-robots ignores it)"}
    err = capsys.readouterr().err
    assert err.count("xeploai: error: ") == 4 and "Traceback" not in err
    assert "1 fetched, 0 already fetched, 4 failed" in err and fetch.ERRORS in err
    assert _fetch(pages, good) == 0 and not (pages / fetch.ERRORS).exists(), "the errors are those of the last run"


def test_an_interrupted_run_keeps_whole_pages_only(server, tmp_path, monkeypatch, capsys):
    pages = tmp_path / "pages"
    urls = [f"{server.base}/tin/an-lac-2023.html", f"{server.base}/tin/binh-minh-2023.html"]
    real = fetch.write_atomic

    def interrupted(path, content):  # Ctrl-C while the second page is being written
        if "binh-minh" in path.name:
            real(path, content[:100])
            raise KeyboardInterrupt
        real(path, content)

    monkeypatch.setattr(fetch, "write_atomic", interrupted)
    assert _fetch(pages, *urls) == 130
    assert "Traceback" not in capsys.readouterr().err
    assert [e["url"] for e in _index(pages)] == urls[:1]
    monkeypatch.setattr(fetch, "write_atomic", real)
    assert _fetch(pages, *urls) == 0
    assert [e["url"] for e in _index(pages)] == urls, "the page cut short is fetched again"
    assert len(_page_files(pages)) == 2
    assert (pages / _index(pages)[1]["file"]).read_bytes() == _pages(server.base)["/tin/binh-minh-2023.html"][2]


def test_the_command_prints_one_line_per_failure_and_no_traceback(site, tmp_path):
    base = f"http://127.0.0.1:{site.server_port}"  # a name the command resolves itself
    done = subprocess.run([sys.executable, "-m", "extractor.cli", "fetch", f"{base}/tin/an-lac-2023.html",
                           f"{base}/tin/khong-co.html", f"{base}/loop-a", "-o", str(tmp_path / "pages"), *QUICK],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"xeploai: error: {base}/tin/khong-co.html: HTTP 404 Not Found",
                                        f"xeploai: error: {base}/loop-a: too many redirects (a redirect loop?)",
                                        f"xeploai: 1 fetched, 0 already fetched, 2 failed → {tmp_path / 'pages'} "
                                        f"(see {tmp_path / 'pages' / fetch.ERRORS})"]


# --- politeness -----------------------------------------------------------------------------------------

class _Clock:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_the_delay_is_per_host(server, tmp_path):
    clock = _Clock()
    other = f"http://127.0.0.1:{server.server_port}"  # the same server under another host name
    urls = [f"{server.base}/tin/an-lac-2023.html", f"{other}/tin/an-lac-2023.html",
            f"{server.base}/tin/binh-minh-2023.html"]
    settings = fetch.Settings(delay=5, private_addresses=True, sleep=clock.sleep, clock=clock)
    summary = fetch.run(urls, tmp_path / "pages", settings)
    assert len(summary.fetched) == 3
    # robots.txt, then 5 s before each page of a host; the other host's wait counts for the first one
    assert clock.slept == [5, 5]


def test_a_crawl_delay_of_robots_txt_is_honoured(server, tmp_path):
    clock = _Clock()
    settings = fetch.Settings(delay=1, user_agent="chamchap/1.0", private_addresses=True, sleep=clock.sleep,
                              clock=clock)
    fetch.run([f"{server.base}/tin/an-lac-2023.html"], tmp_path / "pages", settings)
    assert clock.slept == [7]


def test_a_broken_transfer_is_retried_with_backoff(server, tmp_path):
    clock = _Clock()
    server.breaks = 2
    url = f"{server.base}/flaky.html"
    settings = fetch.Settings(delay=0, retries=2, backoff=0.5, private_addresses=True, sleep=clock.sleep, clock=clock)
    summary = fetch.run([url], tmp_path / "pages", settings)
    assert [e["url"] for e in summary.fetched] == [url] and not summary.failed
    assert clock.slept == [0.5, 1.0], "exponential back-off"
    assert [path for path, _ in server.requests].count("/flaky.html") == 3


def test_retries_give_up(server, tmp_path):
    clock = _Clock()
    server.breaks = 5
    with socket.socket() as unused:  # a port of this machine that nothing listens on
        unused.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{unused.getsockname()[1]}/tin/a.html"
    settings = fetch.Settings(delay=0, retries=1, backoff=0.5, private_addresses=True, robots=False,
                              sleep=clock.sleep, clock=clock)
    summary = fetch.run([f"{server.base}/flaky.html", refused], tmp_path / "pages", settings)
    assert {f.url: f.reason for f in summary.failed} == {
        f"{server.base}/flaky.html": "the connection broke during the transfer",
        refused: "cannot connect (Connection refused)"}
    assert clock.slept == [0.5, 0.5]


# --- lists, stdin, usage --------------------------------------------------------------------------------

def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def test_urls_from_a_list_file_and_stdin(server, tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# trang huyện\n{server.base}/tin/an-lac-2023.html\n\n", encoding="utf-8")
    _stdin(monkeypatch, f"{server.base}/tin/binh-minh-2023.html\n")
    assert _fetch(pages, "-i", str(listed), "-") == 0
    assert sorted(e["url"].rsplit("/", 1)[1] for e in _index(pages)) == ["an-lac-2023.html", "binh-minh-2023.html"]
    assert _fetch(tmp_path / "other", f"@{listed}") == 0 and len(_index(tmp_path / "other")) == 1


def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    assert main(["fetch", "-o", str(tmp_path / "p")]) == 2
    assert "no URLs given" in capsys.readouterr().err
    assert main(["fetch", "-i", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "p")]) == 2
    assert "missing.txt: not found" in capsys.readouterr().err
    _stdin(monkeypatch, "# nothing\n")
    assert main(["fetch", "-", "-o", str(tmp_path / "p")]) == 2
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["fetch", "http://tinhuy.test/a.html", "-o", str(tmp_path / "file")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    for bad in (["--delay", "-1"], ["--retries", "x"], ["--timeout", "0"], ["--user-agent", "a\nb"]):
        with pytest.raises(SystemExit) as stop:
            main(["fetch", "http://tinhuy.test/a.html", "-o", str(tmp_path / "p"), *bad])
        assert stop.value.code == 2


# --- on to figures --------------------------------------------------------------------------------------

def _figures(path: Path) -> set[tuple]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {(f["subject"], f["category"], f["count"], f["percent"], f["year"]) for f in doc["figures"]}


def test_fetched_pages_go_on_to_figures_in_one_command(server, tmp_path, capsys):
    urls = tmp_path / "urls.txt"
    good = f"{server.base}/tin/an-lac-2023.html"
    urls.write_text(f"{good}\n{server.base}/tin/khong-co.html\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", "--from-urls", str(urls), "-o", str(out), "--no-progress", *QUICK]) == 1, \
        "a page that could not be fetched makes the exit 1"
    err = capsys.readouterr().err
    assert "khong-co.html: HTTP 404 Not Found" in err and "1 written" in err
    (entry,) = _index(out / "pages")
    output = out / (Path(entry["file"]).stem + ".json")
    assert {("TCCSD", "TONG_SO", 52, None, 2023), ("TCCSD", "HTXSNV", 12, 23.08, 2023)} <= _figures(output)
    assert fetch.url_of(out / "pages" / entry["file"]) == good
    urls.write_text(f"{good}\n", encoding="utf-8")
    server.requests.clear()
    assert main(["extract", "--from-urls", str(urls), "-o", str(out), "--no-progress", *QUICK]) == 0
    assert server.requests == [] and "0 written, 1 unchanged" in capsys.readouterr().err


def test_a_fetched_folder_is_read_by_extract(server, tmp_path, capsys):
    pages, out = tmp_path / "pages", tmp_path / "out"
    assert _fetch(pages, f"{server.base}/tin/an-lac-2023.html") == 0
    assert main(["extract", str(pages), "-o", str(out), "--no-progress"]) == 0
    (entry,) = _index(pages)
    document = out / (Path(entry["file"]).stem + ".json")
    assert ("TCCSD", "HTXSNV", 12, 23.08, 2023) in _figures(document)
    assert json.loads(document.read_text(encoding="utf-8"))["url"] == f"{server.base}/tin/an-lac-2023.html"
    assert not (out / "skipped.jsonl").exists(), "the folder's index is no input, nor a file not read"


def test_extract_reads_text_on_stdin_and_lists_of_paths(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    _stdin(monkeypatch, AN_LAC + "\n")
    assert main(["extract", "-", "-o", str(out), "--no-progress"]) == 0
    assert ("TCCSD", "TONG_SO", 52, None, 2023) in _figures(out / "stdin.json")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(AN_LAC, encoding="utf-8")
    second.write_text(BINH_MINH, encoding="utf-8")
    listed = tmp_path / "inputs.txt"
    listed.write_text(f"# two reports\n{first}\n\n{second}\n", encoding="utf-8")
    assert main(["extract", f"@{listed}", "-o", str(tmp_path / "listed"), "--no-progress"]) == 0
    assert sorted(p.name for p in (tmp_path / "listed").glob("*.json")) == ["a.json", "b.json"]
    _stdin(monkeypatch, f"{second}\n")
    assert main(["extract", "@-", "-o", str(tmp_path / "piped"), "--no-progress"]) == 0
    assert [p.name for p in (tmp_path / "piped").glob("*.json")] == ["b.json"]
    assert main(["extract", "-o", str(out)]) == 2
    assert "--from-urls" in capsys.readouterr().err
