"""Batch extraction: many files, several workers, resumable, on this machine or a Dask cluster.

One function, ``process_file``, turns one input into the bytes of its output document (or a reason
it failed); both engines run exactly that function, so they write the same bytes. Outputs are written
atomically, so a run killed midway leaves whole files only, and a re-run skips every input whose
content hash and extractor version match its existing output.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .load import DEFAULT_MAX_BYTES, SUFFIXES
from .models import Document
from .patterns import load as load_patterns
from .pipeline import VERSION, extract_file

ERRORS_FILE = "errors.jsonl"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@dataclass(frozen=True)
class Job:
    path: str  # the input file
    target: str  # the output file, relative to OUTDIR


@dataclass(frozen=True)
class Outcome:
    job: Job
    output: str | None = None  # the JSON document, as written
    error: str | None = None
    written: bool = False  # the worker has written the output itself


@dataclass
class Summary:
    written: int = 0
    unchanged: int = 0
    failed: list[Outcome] = field(default_factory=list)


def document_json(doc: Document) -> str:
    """The output bytes of a document (pydantic's serializer: the same text as json.dumps with indent=2
    and ensure_ascii=False, five times faster)."""
    return doc.model_dump_json(indent=2) + "\n"


def write_atomic(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` via a temporary file and a rename: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; an output is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jobs_for(paths: Iterable[str | Path], suffixes: frozenset[str] = SUFFIXES) -> list[Job]:
    """One job per input file. A folder's files (searched recursively) keep their sub-folder in OUTDIR."""
    jobs: list[Job] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes):
                jobs.append(Job(str(f), str(f.relative_to(p).with_suffix(".json"))))
        else:
            jobs.append(Job(str(p), p.stem + ".json"))
    return jobs


def process_file(job: Job, max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
    """The output of one input: the document's JSON, or the reason it could not be read."""
    try:
        return Outcome(job, output=document_json(extract_file(job.path, max_bytes=max_bytes)))
    except InputError as exc:
        return Outcome(job, error=exc.reason)
    except Exception as exc:  # one broken file must never stop a batch; its reason is recorded
        return Outcome(job, error=f"internal error: {exc.__class__.__name__}: {exc}")


def process_and_write(job: Job, out: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
    """``process_file``, then the output written into OUTDIR by the worker itself: the parent only
    keeps count, so it does not compete with the workers for the cores."""
    outcome = process_file(job, max_bytes)
    if outcome.error is not None:
        return outcome
    write_atomic(Path(out) / job.target, outcome.output)
    return Outcome(job, written=True)


def _is_current(job: Job, out: Path) -> bool:
    """The output exists and was made by this version from the same input bytes."""
    target = out / job.target
    if not target.is_file():
        return False
    try:
        previous = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    try:
        digest = hashlib.sha256(Path(job.path).read_bytes()).hexdigest()
    except OSError:
        return False
    return previous.get("input_sha256") == digest and previous.get("extractor_version") == VERSION


def _remove_stale_temporaries(out: Path) -> None:
    for tmp in out.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _local(jobs: list[Job], workers: int, max_bytes: int) -> Iterator[Outcome]:
    if workers <= 1:
        for job in jobs:
            yield process_file(job, max_bytes)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(process_file, job, max_bytes) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _local_written(jobs: list[Job], out: Path, workers: int, max_bytes: int) -> Iterator[Outcome]:
    if workers <= 1:
        for job in jobs:
            yield process_and_write(job, str(out), max_bytes)
        return
    load_patterns()  # compiled once here: forked workers inherit them instead of compiling their own
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Small chunks: fewer round trips than one task per file, and the cores stay evenly busy.
        yield from pool.map(functools.partial(process_and_write, out=str(out), max_bytes=max_bytes), jobs,
                            chunksize=8)


def _dask(jobs: list[Job], scheduler: str, max_bytes: int) -> Iterator[Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise SystemExit("xeploai: the dask engine needs 'distributed' (pip install 'xeploai[dask]')") from None
    with Client(scheduler) as client:
        futures = client.map(process_file, jobs, max_bytes=max_bytes, pure=False)
        for future in dask_completed(futures):
            yield future.result()


def run(paths: Iterable[str | Path], out: str | Path, *, workers: int = 1, engine: str = "local",
        scheduler: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, progress: bool | None = None) -> Summary:
    """Extract every input into OUTDIR; failures go to OUTDIR/errors.jsonl and the batch goes on."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    summary = Summary()
    todo = []
    for job in jobs_for(paths):
        if _is_current(job, out):
            summary.unchanged += 1
        else:
            todo.append(job)
    if engine == "dask":
        if not scheduler:
            raise ValueError("the dask engine needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        outcomes = _dask(todo, scheduler, max_bytes)
    else:
        outcomes = _local_written(todo, out, workers, max_bytes)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(todo), show)
    for outcome in outcomes:
        if outcome.error is None:
            if not outcome.written:  # from a Dask worker, which may not see OUTDIR
                write_atomic(out / outcome.job.target, outcome.output)
            summary.written += 1
        else:
            summary.failed.append(outcome)
        bar.update(1)
    bar.close()
    errors = sorted(({"path": o.job.path, "reason": o.error} for o in summary.failed), key=lambda e: e["path"])
    write_atomic(out / ERRORS_FILE, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    return summary


def _progress(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, disable=not show, unit="file", desc="xeploai", file=sys.stderr)


def extract_many(paths: Iterable[str | Path], workers: int = 1, *, errors: str = "raise",
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document]:
    """Documents as they finish, extracted by ``workers`` processes. With ``errors="skip"`` an input
    that cannot be read is left out; by default it raises ``InputError`` naming the file and reason."""
    if errors not in ("raise", "skip"):
        raise ValueError("errors must be 'raise' or 'skip'")
    jobs = jobs_for(paths)
    for outcome in _local(jobs, workers, max_bytes):
        if outcome.error is not None:
            if errors == "raise":
                raise InputError(outcome.job.path, outcome.error)
            continue
        yield Document.model_validate_json(outcome.output)
