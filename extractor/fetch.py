"""Fetch: download web pages politely into a folder that ``extract`` reads like any other.

What comes from the libraries: each request is trafilatura's ``fetch_response`` (its user agent, timeout,
size limit on the decompressed body, redirect limit, refusal of private addresses, and its own retries of
a request that timed out or got a 429/5xx answer, with back-off); sitemaps and feeds are read by
trafilatura's ``sitemap_search`` and ``find_feed_urls``; the URLs they give are filtered with courlan;
robots.txt is read by ``urllib.robotparser``. What they lack is here, kept small:

- a delay per host between requests (trafilatura's own waits only between the sitemaps of one search);
- retries with exponential back-off of what trafilatura does not retry itself (a refused connection,
  a transfer that broke), so that its retries and these do not multiply;
- why a download failed: trafilatura logs the exception instead of raising it, so it is read from
  its log record;
- the folder: each page written atomically as ``PAGES/<name>.html``, one line per page in
  ``PAGES/fetched.jsonl``, and the failures of the last run in ``PAGES/fetch-errors.jsonl``.

The libraries are imported where they are used: the command line reads this module's defaults for
every command, and trafilatura alone takes a fifth of a second to import.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .batch import STATE_DIR, write_atomic
from .load import DEFAULT_MAX_BYTES
from .pipeline import VERSION

if TYPE_CHECKING:
    from urllib.robotparser import RobotFileParser

# The folder's records, beside the batch's own in OUTDIR: `extract PAGES` neither reads nor lists them.
INDEX = f"{STATE_DIR}/fetched.jsonl"
ERRORS = f"{STATE_DIR}/fetch-errors.jsonl"
USER_AGENT = f"xeploai/{VERSION} (fetcher of published reports on party ratings)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_LOGGERS = ("trafilatura", "courlan")


@dataclass(frozen=True)
class Settings:
    delay: float = 1.0  # seconds between two requests to one host (longer if its robots.txt asks)
    retries: int = 2
    backoff: float = 1.0  # the first retry waits this long, each further one twice as long as the one before
    timeout: int = 15  # seconds; trafilatura takes whole seconds
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = USER_AGENT
    robots: bool = True
    private_addresses: bool = False  # loopback, private and link-local addresses are refused unless set
    force: bool = False
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Failure:
    url: str
    reason: str


@dataclass
class Summary:
    fetched: list[dict] = field(default_factory=list)  # index lines of the pages written in this run
    skipped: list[dict] = field(default_factory=list)  # index lines of the pages already there
    failed: list[Failure] = field(default_factory=list)
    found: list[tuple[str, int]] = field(default_factory=list)  # each sitemap or feed, and the URLs it gave

    @property
    def pages(self) -> list[dict]:
        """The index lines of the pages of this run's URLs, fetched now or before."""
        return self.skipped + self.fetched


# --- the folder -----------------------------------------------------------------------------------------

def page_name(url: str) -> str:
    """A stable file name for a URL: its host and path as ASCII words, and a hash of the whole URL."""
    parts = urlsplit(url)
    words = unicodedata.normalize("NFKD", unquote(parts.netloc + parts.path)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:80].rstrip("-")
    return f"{slug or 'page'}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}.html"


def read_index(pages: Path) -> dict[str, dict]:
    """URL → its index line (the last one); lines that are not a page's record are passed over."""
    entries: dict[str, dict] = {}
    try:
        lines = (pages / INDEX).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # the last line of a killed run may be cut
        if isinstance(entry, dict) and isinstance(entry.get("url"), str) and _plain_name(entry.get("file")):
            entries[entry["url"]] = entry
    return entries


def _plain_name(name) -> bool:
    """A file name of the folder itself: an index line never points outside it."""
    return isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name


def url_of(path: str | Path) -> str | None:
    """The URL a page of a fetched folder was downloaded from, as its folder's index records it."""
    p = Path(path)
    try:
        stat = (p.parent / INDEX).stat()
    except OSError:
        return None
    return _urls_by_file(str(p.parent), stat.st_mtime_ns, stat.st_size).get(p.name)


@lru_cache(maxsize=8)
def _urls_by_file(pages: str, mtime_ns: int, size: int) -> dict[str, str]:
    """File name → URL of one index; read once for as long as the index is unchanged."""
    return {entry["file"]: url for url, entry in read_index(Path(pages)).items()}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lines(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _store(pages: Path, url: str, response) -> dict:
    """The page written atomically, and its index line appended (a killed run keeps what it fetched)."""
    name = page_name(url)
    write_atomic(pages / name, response.data)
    entry = {"url": url, "final_url": response.url, "file": name, "fetched_at": _now(), "status": response.status,
             "sha256": hashlib.sha256(response.data).hexdigest(), "bytes": len(response.data),
             "content_type": (response.headers or {}).get("content-type")}
    with open(pages / INDEX, "a", encoding="utf-8") as handle:
        handle.write(_lines([entry]))
    return entry


def _write_records(pages: Path, index: dict[str, dict], failed: list[Failure]) -> None:
    """The index with one line per URL, and the run's failures (no file when there is none)."""
    write_atomic(pages / INDEX, _lines(index.values()))
    if failed:
        write_atomic(pages / ERRORS, _lines({"url": f.url, "reason": f.reason} for f in failed))
    else:
        (pages / ERRORS).unlink(missing_ok=True)


# --- why a download failed ------------------------------------------------------------------------------

class _LastError(logging.Handler):
    """trafilatura logs the exception of a failed download ("download error: %s %s", url, exc) and returns
    None: the last one logged is the reason. Holding the libraries' records also keeps them off stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.error: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[-1], BaseException):
            self.error = record.args[-1]


@contextmanager
def _libraries_quiet() -> Iterator[_LastError]:
    handler = _LastError()
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _reason(error: BaseException | None, settings: Settings) -> tuple[str, bool]:
    """What went wrong, and whether to try again: only what trafilatura's own retries did not cover
    (it raises MaxRetryError after retrying a timed-out request or a 429/5xx answer)."""
    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError
    from urllib3.exceptions import ResponseError, TimeoutError as Urllib3Timeout

    cause = error.reason if isinstance(error, MaxRetryError) else error
    retried = isinstance(error, MaxRetryError)
    if isinstance(cause, ResponseError):
        text = str(cause)
        return ("too many redirects (a redirect loop?)" if "redirect" in text else f"server error: {text}"), False
    if isinstance(cause, NameResolutionError):
        return "unknown host", False
    if isinstance(cause, NewConnectionError):
        if "SSRF" in str(cause):
            return "refused: a private or local address (--allow-private-addresses allows it)", False
        return f"cannot connect ({getattr(cause.__cause__, 'strerror', None) or 'no connection'})", True
    if isinstance(cause, Urllib3Timeout):
        return f"no answer within {settings.timeout} s (--timeout)", not retried
    if isinstance(cause, ProtocolError):
        return "the connection broke during the transfer", not retried
    if isinstance(cause, ValueError):  # trafilatura's size cap
        return f"larger than {settings.max_bytes} bytes (--max-bytes)", False
    return f"download failed ({cause.__class__.__name__ if cause else 'no response'})", False


def _not_a_page(response) -> str | None:
    """Why a response is no page to keep, or None. Without a Content-Type, a body with <html is one."""
    if not 200 <= response.status < 300:
        try:
            return f"HTTP {response.status} {HTTPStatus(response.status).phrase}"
        except ValueError:
            return f"HTTP {response.status}"
    kind = (response.headers or {}).get("content-type", "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES and (kind or b"<html" not in (response.data or b"")[:4096].lower()):
        return f"not HTML (Content-Type: {kind or 'none'})"
    return None if response.data else "an empty page"


# --- downloading ----------------------------------------------------------------------------------------

def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": a bracket left open
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _Fetcher:
    """Requests made politely: robots.txt read once per host, a delay per host, retries with back-off."""

    def __init__(self, settings: Settings, last: _LastError):
        from trafilatura.settings import use_config

        self.settings = settings
        self.last = last
        self.config = use_config()
        self.config.set("DEFAULT", "DOWNLOAD_TIMEOUT", str(settings.timeout))
        self.config.set("DEFAULT", "MAX_FILE_SIZE", str(settings.max_bytes))
        self.config.set("DEFAULT", "USER_AGENTS", settings.user_agent.replace("%", "%%"))
        self.config.set("DEFAULT", "SSRF_PROTECTION", "off" if settings.private_addresses else "on")
        self.done_at: dict[str, float] = {}  # host → when its last request ended
        self.delays: dict[str, float] = {}  # host → the delay its robots.txt asks for
        self.robots: dict[str, RobotFileParser | str] = {}  # site → its rules, or why none could be read

    @contextmanager
    def turn(self, url: str) -> Iterator[None]:
        """Wait until the host's delay has passed since its last request, then make one."""
        host = urlsplit(url).netloc.lower()
        due = self.done_at.get(host, float("-inf")) + max(self.settings.delay, self.delays.get(host, 0.0))
        wait = due - self.settings.clock()
        if wait > 0:
            self.settings.sleep(wait)
        try:
            yield
        finally:
            self.done_at[host] = self.settings.clock()

    def get(self, url: str):
        """trafilatura's response, or the reason there is none, after the retries."""
        from trafilatura.downloads import fetch_response

        reason = "download failed"
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.settings.sleep(self.settings.backoff * 2 ** (attempt - 1))
            self.last.error = None
            with self.turn(url):
                response = fetch_response(url, config=self.config)
            if response is not None:
                return response
            reason, again = _reason(self.last.error, self.settings)
            if not again:
                break
        return reason

    def page(self, url: str):
        """The response of a page to keep, or the reason it is not kept."""
        if not _is_http(url):
            return "not an http(s) URL"
        refused = self.disallowed(url)
        if refused:
            return refused
        response = self.get(url)
        if isinstance(response, str):
            return response
        return _not_a_page(response) or response

    def disallowed(self, url: str) -> str | None:
        """Why robots.txt forbids the URL, or None (also with --no-robots)."""
        if not self.settings.robots:
            return None
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self.robots:
            self.robots[site] = self._read_robots(site, parts.netloc.lower())
        rules = self.robots[site]
        if isinstance(rules, str):
            return rules
        if rules.can_fetch(self.settings.user_agent, url):
            return None
        return "disallowed by robots.txt (--no-robots ignores it)"

    def _read_robots(self, site: str, host: str) -> RobotFileParser | str:
        """As RFC 9309 says: a 4xx is no rule, a 5xx or no answer forbids the whole site."""
        from urllib.robotparser import RobotFileParser

        response = self.get(site + "/robots.txt")
        if isinstance(response, str) or response.status >= 500:
            why = response if isinstance(response, str) else f"HTTP {response.status}"
            return f"robots.txt could not be read ({why}), so the site is not fetched (--no-robots ignores it)"
        rules = RobotFileParser(site + "/robots.txt")
        if response.status >= 400:
            rules.allow_all = True
            return rules
        rules.parse((response.data or b"").decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            self.delays[host] = float(delay)
        return rules

    def expand(self, url: str, kind: str) -> list[str] | str:
        """The article URLs of a sitemap or a feed, or why there are none."""
        from trafilatura.feeds import find_feed_urls
        from trafilatura.sitemaps import sitemap_search

        if not _is_http(url):
            return "not an http(s) URL"
        refused = self.disallowed(url)
        if refused:
            return refused
        search = sitemap_search if kind == "sitemap" else find_feed_urls
        with self.turn(url):
            try:
                links = search(url, sleep_time=self.settings.delay, config=self.config)
            except Exception as exc:  # a sitemap or feed trafilatura cannot parse must not end the run
                return f"could not be read ({exc.__class__.__name__})"
        articles = articles_of(links, url)
        return articles or f"no article URLs found in this {kind} (unreadable, or only other sites, navigation, files)"


def articles_of(links: Iterable[str], source: str) -> list[str]:
    """The links that are articles of the source's site: courlan's strict check drops navigation pages
    (tags, categories, page 2, …), feeds and files that are no page; its domain test drops other sites."""
    import courlan

    articles = []
    for link in links:
        checked = courlan.check_url(link, strict=True, with_nav=False)
        if checked is None or courlan.is_external(checked[0], source, ignore_suffix=False):
            continue
        if urlsplit(checked[0]).path.strip("/") and checked[0] != source:
            articles.append(checked[0])
    return list(dict.fromkeys(articles))


# --- the run --------------------------------------------------------------------------------------------

def run(urls: Iterable[str], pages: str | Path, settings: Settings = Settings(), *, sitemaps: Iterable[str] = (),
        feeds: Iterable[str] = (), on_failure: Callable[[Failure], None] | None = None) -> Summary:
    """Fetch the URLs, and the articles of the sitemaps and feeds, into PAGES; a failure is recorded
    and the run goes on."""
    pages = Path(pages)
    (pages / STATE_DIR).mkdir(parents=True, exist_ok=True)
    index = read_index(pages)
    summary = Summary()

    def failed(url: str, reason: str) -> None:
        summary.failed.append(Failure(url, reason))
        if on_failure is not None:
            on_failure(summary.failed[-1])

    with _libraries_quiet() as last:
        fetcher = _Fetcher(settings, last)
        todo = list(urls)
        for kind, sources in (("sitemap", sitemaps), ("feed", feeds)):
            for source in sources:
                found = fetcher.expand(source, kind)
                if isinstance(found, str):
                    failed(source, found)
                else:
                    summary.found.append((source, len(found)))
                    todo.extend(found)
        try:
            for url in dict.fromkeys(todo):
                _fetch_one(url, pages, index, fetcher, summary, failed)
        finally:
            _write_records(pages, index, summary.failed)
    return summary


def _fetch_one(url: str, pages: Path, index: dict[str, dict], fetcher: _Fetcher, summary: Summary,
               failed: Callable[[str, str], None]) -> None:
    entry = index.get(url)
    if entry is not None and not fetcher.settings.force and (pages / entry["file"]).is_file():
        summary.skipped.append(entry)
        return
    response = fetcher.page(url)
    if isinstance(response, str):
        failed(url, response)
        return
    index[url] = _store(pages, url, response)
    summary.fetched.append(index[url])
