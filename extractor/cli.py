"""The xeploai command line: extract, export, evaluate, check, review, annotate, explain, schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import batch, review
from . import evaluate as ev
from .errors import InputError
from .explain import explain
from .export import ExportError, export
from .load import DEFAULT_MAX_BYTES, SUFFIXES, load
from .models import Document, json_schema
from .outputs import read_output
from .normalise import normalise
from .patterns import PatternError
from .pipeline import VERSION, extract, extract_file

def cmd_extract(args: argparse.Namespace) -> int:
    summary = batch.run(args.paths, args.output, workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                        max_bytes=args.max_bytes, progress=args.progress, force=args.force)
    out = Path(args.output)
    for failure in summary.failed:
        print(f"xeploai: error: {batch.shown(failure.job.path)}: {failure.error}", file=sys.stderr)
    total = summary.written + summary.unchanged + len(summary.failed)
    if total == 0:
        skipped = f" ({len(summary.skipped)} other file(s): {batch.shown(out / batch.SKIPPED_FILE)})" \
            if summary.skipped else ""
        print("xeploai extract: no input files found in " + ", ".join(batch.shown(p) for p in args.paths) + skipped
              + "; xeploai reads " + ", ".join(sorted(SUFFIXES)), file=sys.stderr)
        return 2
    notes = [f"see {batch.shown(out / batch.ERRORS_FILE)}"] if summary.failed else []
    if summary.stale:
        notes.append(f"{len(summary.stale)} stale output(s) whose input is gone or changed: "
                     f"{batch.shown(out / batch.STALE_FILE)}")
    if summary.skipped:
        notes.append(f"{len(summary.skipped)} file(s) of the folders not read: {batch.shown(out / batch.SKIPPED_FILE)}")
    print(f"xeploai: {summary.written} written, {summary.unchanged} unchanged, {len(summary.failed)} failed "
          f"→ {batch.shown(out)}" + (f" ({'; '.join(notes)})" if notes else ""), file=sys.stderr)
    return 1 if summary.failed else 0


def positive_int(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


_SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "k": 1024, "mb": 1024 ** 2, "m": 1024 ** 2, "gb": 1024 ** 3, "g": 1024 ** 3}


def size(text: str) -> int:
    """A size in bytes: 1000, 500KB, 20MB, 1.5GB (units of 1024)."""
    number = text.strip().rstrip("bBkKmMgG ")
    unit = text.strip()[len(number):].strip().lower()
    try:
        value = float(number) * _SIZE_UNITS[unit]
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (write e.g. 1000, 500KB or 20MB)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte, not {text!r}")
    return int(value)


def _predictions(gold_docs: list[tuple[Path, dict]], pred_dir: Path | None, root: Path,
                 strip_diacritics: bool = False) -> dict[str, dict]:
    """The predicted document of each gold document, as JSON: read from ``pred_dir``, or extracted now."""
    preds: dict[str, dict] = {}
    for path, gold in gold_docs:
        doc_id = gold.get("doc_id") or path.stem
        if pred_dir is not None:
            pred_path = pred_dir / f"{doc_id}.json"
            if not pred_path.is_file():
                raise ev.GoldError(f"{pred_path}: no prediction for gold document {doc_id}")
            preds[doc_id] = json.loads(pred_path.read_text(encoding="utf-8"))
        else:
            source = gold.get("source")
            if not source:
                raise ev.GoldError(f"{path}: gold has no 'source' to extract from; pass --pred")
            if strip_diacritics:  # the same article typed without diacritics
                doc = extract(normalise(load(root / source).text).plain, doc_id)
            else:
                doc = extract_file(root / source)
            preds[doc_id] = doc.model_dump(mode="json")
    return preds


def run_evaluation(gold_dir: Path, pred_dir: Path | None = None, root: Path | None = None,
                   strip_diacritics: bool = False) -> ev.Report:
    root = root or gold_dir.resolve().parent
    while not (root / "corpus").is_dir() and root.parent != root:
        root = root.parent
    files = ev.gold_files(gold_dir)
    if not files:
        raise ev.GoldError(f"{gold_dir}: no gold files (*.json)")
    gold_docs = [(p, ev.load_gold(p)) for p in files]
    preds = _predictions(gold_docs, pred_dir, root, strip_diacritics)
    report = ev.Report()
    for path, gold in gold_docs:
        doc_id = gold.get("doc_id") or path.stem
        ev.score_document(doc_id, gold["figures"], preds[doc_id].get("figures", []), report)
        ev.score_document_fields(gold, preds[doc_id], report)
    return report


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


def _suites(gold_dir: Path) -> list[tuple[str, Path]]:
    """The gold folder and each sub-folder of it that holds gold files, by suite name."""
    if not gold_dir.is_dir():
        return []
    subs = [sub for sub in sorted(gold_dir.iterdir()) if sub.is_dir() and ev.gold_files(sub)]
    return [(gold_dir.name or "gold", gold_dir)] + [(f"{gold_dir.name}/{sub.name}", sub) for sub in subs]


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
    gold_dir = Path(args.gold)
    suites = _suites(gold_dir)
    if not suites:
        print(f"xeploai evaluate: {gold_dir}: not a folder", file=sys.stderr)
        return 2
    gate = _read_gate(Path(args.gate)) if args.gate else {}
    results = {}
    for name, directory in suites:
        pred = Path(args.pred) / directory.relative_to(gold_dir) if args.pred else None
        results[name] = report = run_evaluation(directory, pred, strip_diacritics=args.strip_diacritics)
        if not args.json:
            print(format_report(name, report))
            _print_details(report, args.verbose, args.show_errors)
            print()
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in results.items()}, ensure_ascii=False, indent=2))
    failures = [f for name, r in results.items() for f in ev.gate_failures(name, r, gate.get(name, {}))]
    for failure in failures:
        print(f"xeploai evaluate: gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _read_gate(path: Path) -> dict:
    """The gate file: {suite: {score: minimum}}."""
    try:
        gate = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ev.GoldError(f"{path}: not a readable gate file ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(gate, dict) or not all(isinstance(v, dict) for v in gate.values()):
        raise ev.GoldError(f"{path}: a gate file maps each suite to its minimum scores, e.g. "
                           '{"gold": {"f1": 0.95}}')
    return gate


def _document_for(path: Path, max_bytes: int) -> Document:
    """An output document (.json) as written, or an input file extracted now."""
    if path.suffix.lower() == ".json":
        return read_output(path)
    return extract_file(path, max_bytes=max_bytes)


def format_checks(doc: Document) -> str:
    figures = {f.id: f for f in doc.figures}
    errors = sum(c.severity == "error" for c in doc.checks)
    verdict = f"{errors} error(s)" if errors else "no error"
    lines = [f"{doc.doc_id}: {len(doc.figures)} figures, {len(doc.checks)} checks, {verdict}"]
    for c in doc.checks:
        lines.append(f"  [{c.severity}] {c.kind}: {c.message}")
        for fid in c.figures:
            f = figures.get(fid)
            if f is not None:
                lines.append(f"      {fid} {f.subject.value} {f.category.value} {f.year or ''}: «{f.evidence.text}»")
    for group, decisions in doc.nesting.items():
        shown = ", ".join(f"{k}={v}" for k, v in decisions.items())
        lines.append(f"  nesting {group}: {shown}")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    failed = errors = 0
    documents = [Path(job.path) for job in batch.jobs_for(args.paths, suffixes=SUFFIXES | {".json"})]
    if not documents:
        print("xeploai check: no documents found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    for path in documents:
        try:
            doc = _document_for(path, args.max_bytes)
        except InputError as exc:
            failed += 1
            print(f"xeploai: error: {exc}", file=sys.stderr)
            continue
        print(format_checks(doc))
        errors += sum(c.severity == "error" for c in doc.checks)
    if failed:
        return 1
    return 1 if args.strict and errors else 0


def cmd_export(args: argparse.Namespace) -> int:
    result = export(args.output, args.to, include_stale=args.include_stale, force=args.force)
    for problem in result.invalid:
        print(f"xeploai export: skipped {problem}", file=sys.stderr)
    if result.stale:
        print(f"xeploai export: left out {len(result.stale)} stale output(s) listed in "
              f"{batch.shown(Path(args.output) / batch.STALE_FILE)}; --include-stale exports them", file=sys.stderr)
    print(f"xeploai: {result.figures} figures and {result.checks} checks → {batch.shown(args.to)}", file=sys.stderr)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    paths = [Path(job.path) for job in batch.jobs_for(args.paths, suffixes=frozenset({".json"}))]
    items, invalid = review.load_items(paths)
    for problem in invalid:
        print(f"xeploai review: skipped {problem}", file=sys.stderr)
    if not items:
        print("xeploai review: no output documents found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    batch.write_atomic(Path(args.output), review.render(items))
    missing = [i.document["doc_id"] for i in items if i.text is None]
    for doc_id in missing:
        print(f"xeploai review: {doc_id}: no source text the batch recorded (its input is gone, changed, or was "
              f"not read by 'xeploai extract' into this folder); its spans are not shown", file=sys.stderr)
    print(f"xeploai: {len(items)} document(s) → {args.output}", file=sys.stderr)
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    target = Path(args.output)
    if (target.exists() or target.is_symlink()) and not args.force and not _is_draft(target):
        print(f"xeploai annotate: {target}: exists and is not a draft 'xeploai annotate' wrote (\"reviewed\": "
              f"false); use --force to replace it", file=sys.stderr)
        return 2
    doc = extract_file(args.file, max_bytes=args.max_bytes)
    draft = {
        "doc_id": doc.doc_id, "source": str(args.file), "reviewed": False,
        "year": doc.year, "reporting_unit": doc.reporting_unit,
        "figures": [f.model_dump(mode="json", exclude={"derived", "rules", "percent_of_source"}) for f in doc.figures],
    }
    batch.write_atomic(target, json.dumps(draft, ensure_ascii=False, indent=2) + "\n")
    print(f"xeploai: draft with {len(doc.figures)} figures → {target} (\"reviewed\": false; see gold/GUIDELINES.md)",
          file=sys.stderr)
    return 0


def _is_draft(path: Path) -> bool:
    """Whether ``path`` is a draft as annotate writes it: a JSON object with "reviewed": false."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("reviewed") is False


def cmd_explain(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = sys.stdin.buffer.read(args.max_bytes + 1)
        if len(data) > args.max_bytes:
            raise InputError("<stdin>", f"larger than {args.max_bytes} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("<stdin>", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    else:
        text = load(args.file, max_bytes=args.max_bytes).text
    sys.stdout.write(explain(text, every_sentence=args.all))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xeploai",
        description="Extract grounded figures from Vietnamese reports on the yearly rating of party "
                    "organisations and members (đánh giá, xếp loại chất lượng TCCSĐ, đảng viên).",
    )
    parser.add_argument("--version", action="version", version=f"xeploai {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_extract, _add_export, _add_evaluate, _add_check, _add_review, _add_annotate, _add_explain,
                _add_schema):
        add(sub)
    return parser


def _add_extract(sub) -> None:
    p = sub.add_parser("extract", help="extract figures from files or folders into one JSON per document",
                       description="Write OUTDIR/<doc_id>.json for every input: .txt (UTF-8, UTF-16 or "
                                   "Windows-1258), .html, .docx and .pdf; folders are searched recursively and keep "
                                   "their sub-folders. doc_id is the file stem; inputs that would share an output "
                                   "keep their suffix or folder in its name (a.txt.json, d1/r.json). A file that "
                                   "cannot be read is recorded in OUTDIR/errors.jsonl with its reason and the "
                                   "others go on; the exit status is 1 if any failed. A re-run skips inputs whose "
                                   "content and extractor build (code and patterns) are unchanged, so a stopped run "
                                   "resumes where it was; --force extracts all again. One run at a time per OUTDIR.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files or folders")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the JSON documents")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--force", action="store_true",
                   help="extract every input again, even those whose output is current")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="run here (default) or on a Dask cluster (needs --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: only on a terminal)")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES,
                   help=f"refuse inputs larger than this (default {DEFAULT_MAX_BYTES})")
    p.set_defaults(func=cmd_extract)


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write the figures of an output folder as one table (DuckDB, Parquet, CSV)",
                       description="One row per figure (doc, unit, subject, category, year, count, total, percent, "
                                   "percent_of, derived, source, evidence offsets, …) and a second table of checks. "
                                   "A .duckdb file holds both tables; for .parquet and .csv the checks go to "
                                   "<name>.checks.<ext> beside it.")
    p.add_argument("output", metavar="OUTDIR", help="a folder written by 'xeploai extract'")
    p.add_argument("--to", default="figures.duckdb", metavar="FILE",
                   help="figures.duckdb (default), figures.parquet or figures.csv")
    p.add_argument("--include-stale", action="store_true",
                   help="export the outputs the last extract listed as stale too (their input is gone or changed)")
    p.add_argument("--force", action="store_true",
                   help="replace FILE even when it is not an export of xeploai (a DuckDB file of your own, …)")
    p.set_defaults(func=cmd_export)


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="score predictions against the gold set",
                       description="Score figures against gold/*.json; each sub-folder of the gold folder (such as "
                                   "gold/shapes) is scored as a separate suite. Without --pred the extractor runs "
                                   "on each gold file's source. With --gate, exit 1 when a score is below its gate.")
    p.add_argument("--gold", default="gold", help="gold folder (default: gold)")
    p.add_argument("--pred", help="folder of predicted <doc_id>.json (default: run the extractor)")
    p.add_argument("--gate", help="JSON file of minimum scores per suite, e.g. gold/gate.json")
    p.add_argument("--strip-diacritics", action="store_true",
                   help="extract from each source with its diacritics removed (text typed without them)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="also print per-document and per-category tables")
    p.add_argument("--show-errors", action="store_true", help="list every missed and spurious figure")
    p.set_defaults(func=cmd_evaluate)


def _add_check(sub) -> None:
    p = sub.add_parser("check", help="report the arithmetic checks of documents",
                       description="For each input (.txt, extracted now) or output document (.json), print its "
                                   "checks: percents that do not fit their base, parts that do not add up to the "
                                   "whole, subsets larger than their superset, changes that contradict the two "
                                   "years' values, and the HTXSNV quota (information). Folders are searched.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, output documents or folders")
    p.add_argument("--strict", action="store_true", help="exit 1 when any error-level check fires")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)


def _add_review(sub) -> None:
    p = sub.add_parser("review", help="write one HTML page to review figures in their source text",
                       description="A self-contained page: every evidence span highlighted by category, its fields "
                                   "on hover or focus, each document's figures table (click a row to go to its "
                                   "span) and its checks. PATH is an output folder or output documents.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="an output folder or .json output documents")
    p.add_argument("-o", "--output", default="review.html", metavar="FILE", help="the page (default review.html)")
    p.set_defaults(func=cmd_review)


def _add_annotate(sub) -> None:
    p = sub.add_parser("annotate", help="write a gold draft of one article, to be reviewed by a person",
                       description="Extract FILE and write its figures as a gold draft marked \"reviewed\": false. "
                                   "The evaluation refuses drafts; gold/GUIDELINES.md explains the review step.")
    p.add_argument("file", metavar="FILE", help="the article")
    p.add_argument("-o", "--output", required=True, metavar="GOLD", help="the draft, e.g. gold/<doc_id>.json")
    p.add_argument("--force", action="store_true", help="replace a reviewed gold file")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_annotate)


def _add_explain(sub) -> None:
    p = sub.add_parser("explain", help="show, sentence by sentence, how a text was read (to debug a phrasing)",
                       description="Print the document's year and why, its publication date, reporting unit and "
                                   "page parts; then, for each sentence with a mention: its role on the page, its "
                                   "symbols (the alphabet of patterns/shapes.yaml), its mentions with the pattern ids "
                                   "that found them, every shape tried and what came of it (a figure with its year, "
                                   "unit and their sources; the rule that ruled it out; the requirement that failed).")
    p.add_argument("file", metavar="FILE", help="a .txt, .html, .docx or .pdf file, or - for UTF-8 text on stdin")
    p.add_argument("--all", action="store_true", help="also show sentences without any mention")
    p.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_explain)


def _add_schema(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the output document")
    p.set_defaults(func=cmd_schema)

def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
