"""The xeploai command line: extract, fetch, export, panel, plot, evaluate, check, review, annotate, explain, schema, help.

Every command takes ``-q`` (errors only) and ``-v`` (more detail), as ruff and pytest do; messages go to
stderr and what a command produces (tables, checks, JSON) to stdout. A usage error exits 2, as do bad
input and file-system refusals, each with one line naming the file and the reason; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import regex

from . import batch, check_report, fetch, panel, plot, review, tablecache, verdicts
from . import evaluate as ev
from .errors import InputError
from .evaluate import run_evaluation  # noqa: F401 - re-exported: tests and tools/update_readme.py import it here
from .explain import explain
from .export import ExportError, export
from .load import DEFAULT_MAX_BYTES, SUFFIXES, load
from .models import Document, json_schema
from .outputs import read_output
from .patterns import PatternError
from .pipeline import VERSION, extract_file

MAX_LINES = 10  # failures shown one a line before "… and N more" (all of them with -v)
REVIEW_PAGE = "review.html"  # what 'xeploai review OUT' writes into OUT


class Say:
    """Messages on stderr at the verbosity asked for: errors always, notes unless -q, details with -v."""

    def __init__(self, args: argparse.Namespace):
        self.level = getattr(args, "verbose", 0) - getattr(args, "quiet", 0)  # -1 quiet, 0, 1 verbose, …

    def error(self, text: str) -> None:
        print(text, file=sys.stderr)

    def note(self, text: str) -> None:
        if self.level >= 0:
            print(text, file=sys.stderr)

    def detail(self, text: str) -> None:
        if self.level >= 1:
            print(text, file=sys.stderr)


class Capped:
    """Lines printed as they come, up to MAX_LINES (all with -v), then one line for the rest. Error
    lines show even with -q; notes (``notes=True``) do not."""

    def __init__(self, say: Say, rest: Callable[[int], str], notes: bool = False):
        self.say, self.rest, self.notes = say, rest, notes
        self.shown = self.hidden = 0

    def add(self, line: str) -> None:
        if self.notes and self.say.level < 0:
            return
        if self.shown < MAX_LINES or self.say.level > 0:
            self.shown += 1
            print(line, file=sys.stderr)
        else:
            self.hidden += 1

    def close(self) -> None:
        if self.hidden:
            print(self.rest(self.hidden), file=sys.stderr)


def usage_error(args: argparse.Namespace, text: str) -> int:
    print(f"xeploai {args.command}: error: {text}", file=sys.stderr)
    return 2


def _extract_usage(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments of 'extract', if anything."""
    if not args.paths and not args.from_urls:
        return "give input files or folders (or - for text on stdin, @FILE for a list of paths), or --from-urls FILE"
    if args.pages and not args.from_urls:
        return "--pages goes with --from-urls"
    if args.scheduler and args.engine != "dask":
        return "--scheduler goes with --engine dask"
    return None


def cmd_extract(args: argparse.Namespace) -> int:
    wrong = _extract_usage(args)
    if wrong:
        return usage_error(args, wrong)
    say, out = Say(args), Path(args.output)
    paths = _extract_inputs(args.paths, out, args.max_bytes)
    fetch_failed = False
    if args.from_urls:
        pages = Path(args.pages) if args.pages else out / "pages"
        fetched = _run_fetch(args, pages, _listed(args.from_urls))
        if fetched is None:
            return 2
        paths += [str(pages / entry["file"]) for entry in fetched.pages]
        fetch_failed = bool(fetched.failed)
        if not paths:
            return 1
    progress = False if args.progress is None and say.level < 0 else args.progress
    summary = batch.run(paths, out, workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                        max_bytes=args.max_bytes, progress=progress, force=args.force)
    status = _report_extract(summary, out, args.paths, say)
    return 1 if fetch_failed and status == 0 else status


def _report_extract(summary: batch.Summary, out: Path, paths: list[str], say: Say) -> int:
    errors = Capped(say, lambda n: f"xeploai: … and {n} more, see {batch.shown(out / batch.ERRORS_FILE)}")
    for failure in sorted(summary.failed, key=lambda o: o.job.path):
        errors.add(f"xeploai: error: {failure.job.given}: {failure.error}")
    errors.close()
    total = summary.written + summary.unchanged + len(summary.failed)
    if total == 0:
        skipped = f" ({len(summary.skipped)} other file(s): {batch.shown(out / batch.SKIPPED_FILE)})" \
            if summary.skipped else ""
        say.error("xeploai extract: no input files found in " + ", ".join(batch.shown(p) for p in paths) + skipped
                  + "; xeploai reads " + ", ".join(sorted(SUFFIXES)))
        return 2
    notes = [f"see {batch.shown(out / batch.ERRORS_FILE)}"] if summary.failed else []
    if summary.stale:
        notes.append(f"{len(summary.stale)} stale output(s) whose input is gone or changed: "
                     f"{batch.shown(out / batch.STALE_FILE)}")
    if summary.skipped:
        notes.append(f"{len(summary.skipped)} file(s) of the folders not read: {batch.shown(out / batch.SKIPPED_FILE)}")
    say.note(f"xeploai: {summary.written} written, {summary.unchanged} unchanged, {len(summary.failed)} failed "
             f"→ {batch.shown(out)}" + (f" ({'; '.join(notes)})" if notes else ""))
    for entry in summary.stale:
        say.detail(f"xeploai: stale: {entry['output']}: {entry['reason']} ({entry['input']})")
    for path, reason in summary.skipped:
        say.detail(f"xeploai: not read: {path}: {reason}")
    return 1 if summary.failed else 0


STDIN_INPUT = "stdin.txt"  # the text read from stdin by 'extract -', kept in OUT's records as its input


def _extract_inputs(paths: list[str], out: Path, max_bytes: int) -> list[str]:
    """The paths to extract: "-" is the text on stdin (kept as OUT/.xeploai/stdin.txt, so that its output
    OUT/stdin.json has an input like any other), "@FILE" the paths FILE lists ("@-": listed on stdin)."""
    inputs: list[str] = []
    for path in paths:
        if path == "-":
            kept = out / batch.STATE_DIR / STDIN_INPUT
            batch.write_atomic(kept, _text_of("-", max_bytes))
            inputs.append(str(kept))
        elif path.startswith("@"):
            inputs.extend(_listed(path[1:]))
        else:
            inputs.append(path)
    return inputs


def _text_of(name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The UTF-8 text of a file, or of stdin for "-", or InputError naming it and the reason."""
    shown = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(name, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(shown, "not found") from None
    except OSError as exc:
        raise InputError(shown, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(shown, f"larger than {format_size(max_bytes)} (--max-bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _listed(name: str) -> list[str]:
    """The items of a list file (or of stdin for "-"): one a line; blank lines and lines that start with
    "#" are passed over."""
    lines = (line.strip() for line in _text_of(name).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def cmd_fetch(args: argparse.Namespace) -> int:
    urls = []
    for given in args.urls:
        if given == "-":
            urls.extend(_listed("-"))
        elif given.startswith("@"):
            urls.extend(_listed(given[1:]))
        else:
            urls.append(given)
    for name in args.input:
        urls.extend(_listed(name))
    summary = _run_fetch(args, Path(args.output), urls, args.sitemap, args.feed, force=args.force)
    if summary is None:
        return 2
    return 1 if summary.failed else 0


def _run_fetch(args: argparse.Namespace, pages: Path, urls: list[str], sitemaps: Sequence[str] = (),
               feeds: Sequence[str] = (), force: bool = False) -> fetch.Summary | None:
    """Fetch into PAGES, each failure on stderr as it happens (up to MAX_LINES) and a summary at the end;
    None when there is nothing to fetch."""
    if not urls and not sitemaps and not feeds:
        usage_error(args, "no URLs given (as arguments, in a list file, or by --sitemap or --feed)")
        return None
    say = Say(args)
    settings = fetch.Settings(delay=args.delay, retries=args.retries, backoff=args.backoff, timeout=args.timeout,
                              max_bytes=args.max_bytes, user_agent=args.user_agent, robots=args.robots,
                              private_addresses=args.allow_private_addresses, force=force)
    errors = Capped(say, lambda n: f"xeploai: … and {n} more, see {batch.shown(pages / fetch.ERRORS)}")
    summary = fetch.run(urls, pages, settings, sitemaps=sitemaps, feeds=feeds,
                        on_failure=lambda f: errors.add(f"xeploai: error: {f.url}: {f.reason}"))
    errors.close()
    for source, found in summary.found:
        say.note(f"xeploai: {source}: {found} article URL(s)")
    for entry in summary.fetched:
        say.detail(f"xeploai: fetched {entry['url']} → {batch.shown(pages / entry['file'])}")
    note = f" (see {batch.shown(pages / fetch.ERRORS)})" if summary.failed else ""
    say.note(f"xeploai: {len(summary.fetched)} fetched, {len(summary.skipped)} already fetched, "
             f"{len(summary.failed)} failed → {batch.shown(pages)}{note}")
    return summary


def whole_number(minimum: int):
    """The type of an argument that must be a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse


positive_int = whole_number(1)
count = whole_number(0)


def seconds(text: str) -> float:
    """A duration in seconds, 0 or more: 1, 0.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, not {text!r}")
    return value


def user_agent(text: str) -> str:
    """A User-Agent header: printable, on one line."""
    if not text.strip() or not text.isprintable():
        raise argparse.ArgumentTypeError("a user agent is one line of printable text")
    return text.strip()


_SIZE = regex.compile(r"(?i)^\s*(\d+(?:\.\d+)?)\s*(b|bytes?|[kmg]i?b?)?\s*$")
_UNITS = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def size(text: str) -> int:
    """A size in bytes: 1000, 500KB, 20MB, 20 MiB, 1.5GB (units of 1024)."""
    match = _SIZE.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (write e.g. 1000, 500KB or 20MB)")
    unit = (match.group(2) or "b").lower()
    value = float(match.group(1)) * _UNITS.get(unit[0], 1)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte, not {text!r}")
    return int(value)


def format_size(value: int) -> str:
    """20971520 → '20 MB', 1000 → '1000 bytes' (units of 1024, as ``size`` reads them)."""
    for name, unit in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if value >= unit and value % unit == 0:
            return f"{value // unit} {name}"
    return "1 byte" if value == 1 else f"{value} bytes"


# --- evaluate -------------------------------------------------------------------------------------------

def format_report(name: str, report: ev.Report) -> str:
    o = report.overall
    a = report.attributes

    def acc(key: str) -> str:  # "–" where the suite has no pair to judge
        return f"{a[key].accuracy:.3f}" if a[key].total else "–"

    lines = [
        f"## {name}",
        "",
        "| documents | gold | predicted | matched | precision | recall | F1 | recall (with %) | unit acc. | percent_of acc. "
        "| change acc. | repeat acc. | document year acc. | published acc. |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {len(report.per_document)} | {o.tp + o.fn} | {o.tp + o.fp} | {o.tp} | {o.precision:.3f} | {o.recall:.3f} | "
        f"{o.f1:.3f} | {report.with_percent.recall:.3f} | {acc('unit')} | {acc('percent_of')} | {acc('change')} | "
        f"{acc('repeat_of')} | {acc('document_year')} | {acc('published')} |",
    ]
    return "\n".join(lines)


def _print_details(report: ev.Report, verbose: bool, show_errors: bool) -> None:
    """Per document and per category scores (``verbose``), and each miss and wrong attribute."""
    if verbose:
        print("\n| document | precision | recall | F1 |\n|---|---|---|---|")
        for doc_id, c in sorted(report.per_document.items()):
            print(f"| {doc_id} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |")
        print("\n| category | gold | predicted | F1 |\n|---|---|---|---|")
        for cat, c in sorted(report.per_category.items()):
            print(f"| {cat} | {c.tp + c.fn} | {c.tp + c.fp} | {c.f1:.3f} |")
    if show_errors:
        for doc_id, kind, fig in report.misses:
            values = {k: fig.get(k) for k in ("subject", "category", "year", "count", "total", "percent")}
            print(f"  {kind} {doc_id}: {values} {fig.get('evidence', {}).get('text', '')[:80]!r}")
        for doc_id, attribute, gold, pred in report.wrong_attributes:
            print(f"  {attribute} {doc_id}: gold {gold.get(attribute)!r}, predicted {pred.get(attribute)!r} "
                  f"{gold.get('evidence', {}).get('text', '')[:60]!r}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.strip_diacritics and args.pred:
        return usage_error(args, "--strip-diacritics extracts the articles again; it does not go with --pred")
    say, gold_dir = Say(args), Path(args.gold)
    suites = ev.suites(gold_dir)
    if not suites:
        reason = "not a folder" if gold_dir.exists() else "not found"
        return usage_error(args, f"{gold_dir}: {reason} (--gold DIR names a folder of gold files)")
    gate = ev.read_gate(Path(args.gate), [name for name, _ in suites]) if args.gate else {}
    results = _evaluate_suites(args, gold_dir, suites, say)
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in results.items()}, ensure_ascii=False, indent=2))
    failures = [f for name, r in results.items() for f in ev.gate_failures(name, r, gate.get(name, {}))]
    for failure in failures:
        say.error(f"xeploai evaluate: gate failed: {failure}")
    if gate and not failures:
        say.note(f"xeploai evaluate: every score meets the gate {batch.shown(args.gate)}")
    return 1 if failures else 0


def _evaluate_suites(args: argparse.Namespace, gold_dir: Path, suites: list[tuple[str, Path]],
                     say: Say) -> dict[str, ev.Report]:
    """Each suite scored, its table printed as it is done (unless --json or -q). --pred and --sources
    name the folders of the top suite; a sub-suite's are their sub-folders of the same name."""
    results = {}
    for name, directory in suites:
        below = directory.relative_to(gold_dir)
        pred = Path(args.pred) / below if args.pred else None
        sources = Path(args.sources) / below if args.sources else None
        results[name] = report = ev.run_evaluation(directory, pred, sources, strip_diacritics=args.strip_diacritics)
        if not args.json and say.level >= 0:
            print(format_report(name, report))
            _print_details(report, say.level > 0, args.show_errors)
            print()
    return results


# --- check ----------------------------------------------------------------------------------------------

def _document_for(path: Path, max_bytes: int) -> Document:
    """An output document (.json) as written, or an input file extracted now."""
    if path.suffix.lower() == ".json":
        return read_output(path)
    return extract_file(path, max_bytes=max_bytes)


def _check_paths(paths: list[str]) -> list[Path]:
    """The documents to check: in an output folder (one with the batch's records) its .json documents;
    elsewhere inputs and .json documents. So the review page an output folder holds is no input."""
    found: list[Path] = []
    for path in paths:
        output_folder = Path(path).is_dir() and (Path(path) / batch.MANIFEST).is_file()
        suffixes = frozenset({".json"}) if output_folder else SUFFIXES | {".json"}
        found.extend(Path(job.path) for job in batch.jobs_for([path], suffixes=suffixes))
    return list(dict.fromkeys(found))


def cmd_check(args: argparse.Namespace) -> int:
    say = Say(args)
    documents = _check_paths(args.paths)
    if not documents:
        return usage_error(args, "no documents found in " + ", ".join(args.paths))
    results: list[tuple[str, Document]] = []
    unreadable: list[tuple[str, str]] = []
    for path in documents:
        try:
            results.append((batch.shown(path), _document_for(path, args.max_bytes)))
        except InputError as exc:
            unreadable.append((batch.shown(exc.path), exc.reason))
            say.error(f"xeploai: error: {exc}")
    if args.format == "json":
        print(json.dumps(check_report.as_json(results, unreadable), ensure_ascii=False, indent=2))
    else:
        for name, doc in results:
            for line in check_report.document_lines(name, doc, say.level):
                print(line)
        if say.level >= 0:
            print(check_report.summary_line([doc for _, doc in results], len(unreadable), say.level))
    errors = sum(c.severity == "error" for _, doc in results for c in doc.checks)
    return 1 if unreadable or (args.strict and errors) else 0


# --- export, review, annotate, explain, schema ----------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    say = Say(args)
    result = export(args.output, args.to, include_stale=args.include_stale, force=args.force, cache=not args.no_cache)
    for problem in result.invalid:
        say.error(f"xeploai export: skipped {problem}")
    if result.stale:
        say.note(f"xeploai export: left out {len(result.stale)} stale output(s) listed in "
                 f"{batch.shown(Path(args.output) / batch.STALE_FILE)}; --include-stale exports them")
        for path in result.stale:
            say.detail(f"xeploai export: left out {batch.shown(path)}")
    say.note(f"xeploai: {result.figures} figures and {result.checks} checks → {batch.shown(args.to)}")
    return 0


def _review_page(args: argparse.Namespace) -> Path:
    """-o, or review.html in the output folder given (beside the first document given)."""
    if args.output:
        return Path(args.output)
    first = Path(args.paths[0])
    return (first if first.is_dir() else first.parent) / REVIEW_PAGE


def cmd_review(args: argparse.Namespace) -> int:
    say = Say(args)
    paths = [Path(job.path) for job in batch.jobs_for(args.paths, suffixes=frozenset({".json"}))]
    items, invalid = review.load_items(paths)
    for problem in invalid:
        say.error(f"xeploai review: skipped {problem}")
    if not items:
        return usage_error(args, "no output documents found in " + ", ".join(args.paths))
    target = _review_page(args)
    batch.write_atomic(target, review.render(items))
    missing = Capped(say, lambda n: f"xeploai review: … and {n} more documents without their source text "
                                    "(-v lists them)", notes=True)
    for item in items:
        if item.text is None:
            missing.add(f"xeploai review: {item.document['doc_id']}: no source text the batch recorded (its input "
                        "is gone, changed, or was not read by 'xeploai extract' into this folder); its spans are "
                        "not shown")
    missing.close()
    say.note(f"xeploai: {len(items)} document(s) → {batch.shown(target)}")
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    if args.verdicts:
        return _annotate_verdicts(args)
    target = Path(args.output)
    if not _replaceable(target, args.force):
        return usage_error(args, _not_a_draft(target))
    doc = extract_file(args.file, max_bytes=args.max_bytes)
    draft = verdicts.draft_of(doc, ev.gold_source(Path(args.file), target))
    batch.write_atomic(target, json.dumps(draft, ensure_ascii=False, indent=2) + "\n")
    Say(args).note(f"xeploai: draft with {len(doc.figures)} figures → {target} (\"reviewed\": false; see "
                   "gold/GUIDELINES.md)")
    return 0


def _annotate_verdicts(args: argparse.Namespace) -> int:
    """annotate OUT --verdicts FILE -o GOLD_DIR: a draft of each document of OUT the verdicts judge."""
    say, out, gold_dir = Say(args), Path(args.file), Path(args.output)
    if not out.is_dir():
        return usage_error(args, f"{out}: not a folder (with --verdicts, give the output folder the review page "
                                 "was made from)")
    if gold_dir.exists() and not gold_dir.is_dir():
        return usage_error(args, f"{gold_dir}: not a folder (with --verdicts, -o names the folder of the drafts)")
    found = verdicts.drafts(Path(args.verdicts), out, gold_dir)
    refused = [d.path for d in found if not _replaceable(d.path, args.force)]
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        return usage_error(args, _not_a_draft(refused[0]) + more)
    wrong = Capped(say, lambda n: f"xeploai annotate: … and {n} more marked wrong (listed in the drafts)", notes=True)
    for draft in found:
        batch.write_atomic(draft.path, json.dumps(draft.content, ensure_ascii=False, indent=2) + "\n")
        for figure_id, note in draft.wrong:
            wrong.add(f"xeploai annotate: {draft.content['doc_id']} {figure_id}: marked wrong, left out"
                      + (f" ({note})" if note else ""))
    wrong.close()
    say.note(f"xeploai: {len(found)} draft(s) → {batch.shown(gold_dir)}: {sum(d.correct for d in found)} figures "
             f"marked correct, {sum(len(d.wrong) for d in found)} marked wrong and left out, "
             f"{sum(d.unmarked for d in found)} not marked and kept as drafts (\"reviewed\": false; see "
             "gold/GUIDELINES.md)")
    return 0


def _replaceable(target: Path, force: bool) -> bool:
    """Whether annotate may write ``target``: it is not there yet, it is a draft, or --force."""
    return force or not (target.exists() or target.is_symlink()) or _is_draft(target)


def _not_a_draft(target: Path) -> str:
    return (f"{target}: exists and is not a draft 'xeploai annotate' wrote (\"reviewed\": false); use --force to "
            "replace it")


def _is_draft(path: Path) -> bool:
    """Whether ``path`` is a draft as annotate writes it: a JSON object with "reviewed": false."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("reviewed") is False


def cmd_explain(args: argparse.Namespace) -> int:
    text = _text_of("-", args.max_bytes) if args.file == "-" else load(args.file, max_bytes=args.max_bytes).text
    sys.stdout.write(explain(text, every_sentence=args.all or Say(args).level > 0))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


# --- the parser -----------------------------------------------------------------------------------------

def _output_options(defaults: bool) -> argparse.ArgumentParser:
    """-q and -v, for the main parser (with their defaults) and for every command (without: so that
    'xeploai -v check' keeps the -v given before the command)."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("output")
    default = 0 if defaults else argparse.SUPPRESS
    group.add_argument("-q", "--quiet", action="count", default=default,
                       help="show errors only (and only the first few when there are many)")
    group.add_argument("-v", "--verbose", action="count", default=default,
                       help="show more detail: every failure, notes, per-document tables")
    return options


COMMANDS = ("extract", "fetch", "export", "panel", "plot", "evaluate", "check", "review", "annotate", "explain",
            "schema", "help")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xeploai", parents=[_output_options(True)],
        description="Extract grounded figures from Vietnamese reports on the yearly rating of party "
                    "organisations and members (đánh giá, xếp loại chất lượng TCCSĐ, đảng viên).",
        epilog="Start with 'xeploai extract FOLDER -o OUT', then 'xeploai check OUT' or 'xeploai review OUT'. "
               "'xeploai help COMMAND' (or 'xeploai COMMAND --help') shows a command's options.")
    parser.add_argument("-V", "--version", action="version", version=f"xeploai {VERSION}",
                        help="show the version of xeploai and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    common = _output_options(False)
    for add in (_add_extract, _add_fetch, _add_export, panel.add_parser, plot.add_parser, _add_evaluate, _add_check,
                _add_review, _add_annotate, _add_explain, _add_schema):
        add(sub, common)
    p = sub.add_parser("help", parents=[common], help="show the commands, or one command's options",
                       description="Show the commands, or the options of one command.")
    p.add_argument("topic", nargs="?", choices=[c for c in COMMANDS if c != "help"], metavar="COMMAND",
                   help="a command: " + ", ".join(c for c in COMMANDS if c != "help"))
    p.set_defaults(func=lambda args: _help(parser, sub, args.topic))
    return parser


def _help(parser: argparse.ArgumentParser, sub, topic: str | None) -> int:
    print((sub.choices[topic] if topic else parser).format_help(), end="")
    return 0


def _add_extract(sub, common) -> None:
    p = sub.add_parser("extract", parents=[common],
                       help="extract figures from files or folders into one JSON per document",
                       description="Write OUTDIR/<doc_id>.json for every input: .txt (UTF-8, UTF-16 or "
                                   "Windows-1258), .html, .docx and .pdf; folders are searched recursively and keep "
                                   "their sub-folders. doc_id is the file stem; inputs that would share an output "
                                   "keep their suffix or folder in its name (a.txt.json, d1/r.json). A file that "
                                   "cannot be read is recorded in OUTDIR/errors.jsonl with its reason and the "
                                   "others go on; the exit status is 1 if any failed. A re-run skips inputs whose "
                                   "content and extractor build (code and patterns) are unchanged, so a stopped run "
                                   "resumes where it was; --force extracts all again. One run at a time per OUTDIR.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="input files or folders; - for UTF-8 text on stdin (its output is OUTDIR/stdin.json); "
                        "@FILE for the paths FILE lists, one a line (@- reads the list from stdin)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the JSON documents")
    p.add_argument("--from-urls", metavar="FILE",
                   help="first fetch the URLs FILE lists (one a line, '#' for comments, - for stdin) as "
                        "'xeploai fetch' does, then extract their pages with the other inputs")
    p.add_argument("--pages", metavar="PAGES", help="with --from-urls: the folder of fetched pages "
                                                    "(default OUTDIR/pages); pages already there are not fetched again")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--force", action="store_true",
                   help="extract every input again, even those whose output is current (pages are not fetched "
                        "again: 'xeploai fetch --force' does that)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="run here (default) or on a Dask cluster (needs --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: only on a terminal)")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"refuse inputs (and pages to fetch) larger than this: 1000, 500KB, 20MB "
                        f"(default {format_size(DEFAULT_MAX_BYTES)})")
    _add_download_options(p.add_argument_group("fetching, with --from-urls"))
    p.set_defaults(func=cmd_extract)


def _add_fetch(sub, common) -> None:
    p = sub.add_parser("fetch", parents=[common], help="download web pages politely into a folder that 'extract' reads",
                       description="Download each URL into PAGES/<name>.html (written whole or not at all), with a "
                                   f"line in PAGES/{fetch.INDEX}: url, final_url, file, fetched_at (UTC), status, sha256, "
                                   "bytes. A URL already fetched (its line and its file there) is skipped unless "
                                   "--force. Politely: robots.txt is obeyed, requests to one host are spaced by "
                                   "--delay (or the host's Crawl-delay), a failed download is retried with "
                                   "back-off, and the user agent names xeploai. A URL that fails (an HTTP error, "
                                   "no answer in time, a redirect loop, too large, not HTML, refused by robots.txt) "
                                   f"is one line 'URL: reason' on stderr and in PAGES/{fetch.ERRORS}, and the others "
                                   "go on; the exit status is 1 if any failed, 2 for a usage error. Then "
                                   "'xeploai extract PAGES -o OUT' reads the pages (or use 'xeploai extract "
                                   "--from-urls FILE -o OUT' to do both at once).")
    p.add_argument("urls", nargs="*", metavar="URL",
                   help="pages to fetch; - reads URLs from stdin, @FILE from FILE (one a line, '#' for comments)")
    p.add_argument("-i", "--input", action="append", default=[], metavar="FILE",
                   help="a file of URLs, one a line ('#' for comments, - for stdin); may be repeated")
    p.add_argument("--sitemap", action="append", default=[], metavar="URL",
                   help="a sitemap (or a site, whose sitemaps are looked for): fetch its articles, the URLs of the "
                        "same site that are no navigation page (tag, category, page 2) or file; may be repeated")
    p.add_argument("--feed", action="append", default=[], metavar="URL",
                   help="an RSS, Atom or JSON feed (or a page that links one): fetch its articles, as for --sitemap")
    p.add_argument("-o", "--output", required=True, metavar="PAGES", help="the folder of fetched pages")
    p.add_argument("--force", action="store_true", help="fetch again the URLs already fetched")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"refuse a page larger than this: 1000, 500KB, 20MB (default {format_size(DEFAULT_MAX_BYTES)}, "
                        "as 'extract')")
    _add_download_options(p.add_argument_group("downloading"))
    p.set_defaults(func=cmd_fetch)


def _add_download_options(group) -> None:
    default = fetch.Settings()
    group.add_argument("--delay", type=seconds, default=default.delay, metavar="SECONDS",
                       help=f"wait between two requests to one host (default {default.delay}; longer when its "
                            "robots.txt asks for a Crawl-delay)")
    group.add_argument("--retries", type=count, default=default.retries, metavar="N",
                       help=f"retry a download that failed on the network N times (default {default.retries}); "
                            "trafilatura itself already retries twice a request that timed out or got a 429 or "
                            "5xx answer")
    group.add_argument("--backoff", type=seconds, default=default.backoff, metavar="SECONDS",
                       help=f"wait before the first retry, doubled at each next one (default {default.backoff})")
    group.add_argument("--timeout", type=positive_int, default=default.timeout, metavar="SECONDS",
                       help=f"give up on a request without an answer after this many whole seconds "
                            f"(default {default.timeout})")
    group.add_argument("--user-agent", type=user_agent, default=default.user_agent, metavar="TEXT",
                       help=f"the User-Agent header, also matched against robots.txt (default "
                            f"'{default.user_agent}'); add a way to reach you: 'xeploai (+mailto:you@example.org)'")
    group.add_argument("--no-robots", dest="robots", action="store_false",
                       help="ignore robots.txt and its Crawl-delay (impolite: only for sites that allow it to you)")
    group.add_argument("--allow-private-addresses", action="store_true",
                       help="also fetch from loopback, private and link-local addresses (an intranet mirror); "
                            "refused by default, so that a sitemap or a feed cannot send requests into your network")


def _add_export(sub, common) -> None:
    p = sub.add_parser("export", parents=[common],
                       help="write the figures of an output folder as tables (DuckDB, Parquet, CSV, .xlsx, JSON Lines)",
                       description="Four tables: figures (one row per figure: doc, unit, unit_key, subject, category, "
                                   "year, count, total, percent, percent_of, derived, source, evidence offsets, the "
                                   "official unit, …), documents (one row per document, with its counts of figures "
                                   "and checks), checks, and the conflicts of the panel. A .duckdb file holds the "
                                   "four, an .xlsx workbook one sheet each; for .parquet and .csv (UTF-8 with a BOM, "
                                   "for spreadsheet programs) the others go to <name>.<table>.<ext> beside it; - "
                                   "writes the figures as JSON Lines on stdout.")
    p.add_argument("output", metavar="OUTDIR", help="a folder written by 'xeploai extract'")
    p.add_argument("--to", default="figures.duckdb", metavar="FILE",
                   help="figures.duckdb (default), figures.parquet, figures.csv, figures.xlsx, or - for JSON Lines "
                        "on stdout")
    p.add_argument("--include-stale", action="store_true",
                   help="export the outputs the last extract listed as stale too (their input is gone or changed)")
    p.add_argument("--force", action="store_true",
                   help="replace FILE even when it is not an export of xeploai (a DuckDB file of your own, …)")
    p.add_argument("--no-cache", action="store_true",
                   help=f"read every output document afresh: neither read nor update the rows kept in "
                        f"OUTDIR/{tablecache.FILE} by extract and earlier exports (by default the files unchanged "
                        "since are not read again)")
    p.set_defaults(func=cmd_export)


def _add_evaluate(sub, common) -> None:
    p = sub.add_parser("evaluate", parents=[common], help="score predictions against the gold set",
                       description="Score figures against the gold files (*.json) of DIR; each sub-folder of it "
                                   "that holds gold files (such as gold/shapes) is scored as a separate suite. "
                                   "Without --pred the extractor runs on each gold file's article. With --gate, exit "
                                   "1 when a score is below its gate. -v adds per-document and per-category tables; "
                                   "-q prints only gate failures and errors.")
    p.add_argument("--gold", default="gold", metavar="DIR", help="the gold folder, any folder of gold files "
                                                                  "(default: gold)")
    found = p.add_mutually_exclusive_group()
    found.add_argument("--pred", metavar="OUT", help="score the documents 'xeploai extract' wrote into OUT "
                                                      "(OUT/<doc_id>.json) instead of extracting the articles now")
    found.add_argument("--sources", metavar="DIR",
                       help="the folder of the articles: each gold file's 'source' below DIR, or the file of DIR of "
                            "its name or of its doc_id (default: 'source' beside the gold file or in a folder above)")
    p.add_argument("--gate", metavar="FILE", help="JSON file of minimum scores per suite, e.g. gold/gate.json: "
                                                  "{\"gold\": {\"f1\": 0.95}}; an unknown suite or score is an error")
    p.add_argument("--strip-diacritics", action="store_true",
                   help="extract from each source with its diacritics removed (text typed without them)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--show-errors", action="store_true", help="list every missed and spurious figure")
    p.set_defaults(func=cmd_evaluate)


def _add_check(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="report the arithmetic checks of documents",
                       description="For each input (.txt, extracted now) or output document (.json), print its "
                                   "checks: percents that do not fit their base, parts that do not add up to the "
                                   "whole, subsets larger than their superset, changes that contradict the two "
                                   "years' values, and notes such as the HTXSNV quota. Folders are searched (an "
                                   "output folder for its .json documents). Errors and warnings are shown, notes and "
                                   "how each group's figures fit together with -v, errors alone with -q; a last line "
                                   "sums them up. Exit 1 when a document cannot be read (or, with --strict, when an "
                                   "error-level check fires).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, output documents or folders")
    p.add_argument("--strict", action="store_true", help="exit 1 when any error-level check fires")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person (default), or json: every check of every document (schema in the README)")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"refuse inputs larger than this (default {format_size(DEFAULT_MAX_BYTES)})")
    p.set_defaults(func=cmd_check)


def _add_review(sub, common) -> None:
    p = sub.add_parser("review", parents=[common], help="write one HTML page to review figures in their source text",
                       description="A self-contained page, one document shown at a time: every evidence span "
                                   "highlighted by category (an icon on those that fail a check), its fields on "
                                   "hover or focus, the figures table (click a row to go to its span) and the "
                                   "checks; the document list with its error and warning counts, to filter and "
                                   "sort by. Mark figures correct or wrong and save the verdicts "
                                   f"({review.VERDICTS_FILE}); 'xeploai annotate OUT --verdicts FILE -o GOLD' "
                                   "makes gold drafts of them. PATH is an output folder or output documents.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="an output folder or .json output documents")
    p.add_argument("-o", "--output", metavar="FILE",
                   help=f"the page (default: {REVIEW_PAGE} in the output folder, or beside the first document given)")
    p.set_defaults(func=cmd_review)


def _add_annotate(sub, common) -> None:
    p = sub.add_parser("annotate", parents=[common],
                       help="write a gold draft of one article, or of the documents judged on the review page",
                       description="Extract FILE and write its figures as a gold draft marked \"reviewed\": false. "
                                   "With --verdicts (the file the review page saves), write a draft of each "
                                   "document of the output folder OUT that it judges, into the folder GOLD: the "
                                   "figures marked correct and those not marked (listed as such), without those "
                                   "marked wrong (listed, with their notes). The evaluation refuses drafts; "
                                   "gold/GUIDELINES.md explains the review step.")
    p.add_argument("file", metavar="FILE", help="the article; with --verdicts, the output folder OUT the review page "
                                                "was made from")
    p.add_argument("-o", "--output", required=True, metavar="GOLD",
                   help="the draft, e.g. gold/<doc_id>.json; its 'source' names FILE so that 'xeploai evaluate' "
                        "finds it from any folder; with --verdicts, the folder of the drafts (OUT/x.json's is "
                        "GOLD/x.json)")
    p.add_argument("--verdicts", metavar="VERDICTS",
                   help=f"the verdicts the review page saved ({review.VERDICTS_FILE}); a figure is taken only as "
                        "it was reviewed (the same fields and span in OUT)")
    p.add_argument("--force", action="store_true", help="replace a reviewed gold file")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"refuse inputs larger than this (default {format_size(DEFAULT_MAX_BYTES)})")
    p.set_defaults(func=cmd_annotate)


def _add_explain(sub, common) -> None:
    p = sub.add_parser("explain", parents=[common],
                       help="show, sentence by sentence, how a text was read (to debug a phrasing)",
                       description="Print the document's year and why, its publication date, reporting unit and "
                                   "page parts; then, for each sentence with a mention: its role on the page, its "
                                   "symbols (the alphabet of patterns/shapes.yaml), its mentions with the pattern ids "
                                   "that found them, every shape tried and what came of it (a figure with its year, "
                                   "unit and their sources; the rule that ruled it out; the requirement that failed).")
    p.add_argument("file", metavar="FILE", help="a .txt, .html, .docx or .pdf file, or - for UTF-8 text on stdin")
    p.add_argument("--all", action="store_true", help="also show sentences without any mention (as -v does)")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"refuse inputs larger than this (default {format_size(DEFAULT_MAX_BYTES)})")
    p.set_defaults(func=cmd_explain)


def _add_schema(sub, common) -> None:
    p = sub.add_parser("schema", parents=[common], help="print the JSON Schema of the output document")
    p.set_defaults(func=cmd_schema)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare 'xeploai': what it can do
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (ev.GoldError, PatternError, InputError, batch.BatchError, ExportError) as exc:
        print(f"xeploai {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print(f"xeploai {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the file system refused: a full disk, a folder that cannot be written, …
        where = f"{batch.shown(exc.filename)}: " if exc.filename else ""
        print(f"xeploai {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: say so plainly, without a traceback for the user
        print(f"xeploai {args.command}: internal error ({exc.__class__.__name__}); please report it with the "
              f"command that caused it", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
