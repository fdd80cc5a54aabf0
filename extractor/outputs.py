"""Reading what a batch wrote: its output documents, validated, and the source texts it recorded.

Everything that reads an output folder (``export``, ``review``, ``check``) goes through here, so a
JSON that is no valid output document is refused the same way everywhere: named, with the reason,
and never half-used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import batch
from .errors import InputError
from .load import load
from .models import Document


def read_output(path: Path) -> Document:
    """The output document at ``path``, validated against the contract."""
    return _validated(path, _bytes_of(path))


def read_output_bytes(path: Path) -> bytes:
    """The bytes of the output document at ``path``, once they validate against the contract: for a
    reader that parses them again in bulk (``export``)."""
    data = _bytes_of(path)
    _validated(path, data)
    return data


def _bytes_of(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def _validated(path: Path, data: bytes) -> Document:
    try:
        return Document.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise InputError(str(path), f"not an xeploai output document ({detail})") from None


@dataclass
class Outputs:
    documents: list[tuple[Path, Document | bytes]]
    invalid: list[InputError]
    stale: list[Path]


class Records:
    """The batch records (manifest, stale list) of the OUTDIRs that hold some outputs, each folder's
    read once however many documents it holds."""

    def __init__(self) -> None:
        self._root_of: dict[str, tuple[Path, str] | None] = {}  # folder → its OUTDIR and its place in it
        self._manifest: dict[Path, dict[str, dict]] = {}
        self._stale: dict[Path, set[str]] = {}

    def place(self, path: Path) -> tuple[Path, str] | None:
        """The OUTDIR holding the output ``path`` (the nearest folder above it with the batch's records)
        and the output's name in it; None for a file no batch wrote. Worked out once per folder: a
        national crawl has tens of thousands of outputs in a few hundred folders."""
        parent, name = os.path.split(os.path.abspath(path))
        if parent not in self._root_of:
            self._root_of[parent] = _outdir_above(parent)
        found = self._root_of[parent]
        return (found[0], found[1] + name) if found is not None else None

    def stale(self, path: Path) -> bool:
        """Whether the last batch listed the output ``path`` as stale."""
        found = self._records(path, self._stale, batch.stale_outputs)
        return found is not None and found[1] in found[0]

    def source(self, path: Path) -> dict | None:
        """The manifest's entry for the output ``path``: the input the batch read for it, and its hash."""
        found = self._records(path, self._manifest, batch.recorded_sources)
        return found[0].get(found[1]) if found is not None else None

    def _records(self, path: Path, cache: dict, read):
        """One kind of record of the OUTDIR holding ``path`` (read once per OUTDIR), and the output's
        name in it; None for a file no batch wrote."""
        place = self.place(path)
        if place is None:
            return None
        root, name = place
        if root not in cache:
            cache[root] = read(root)
        return cache[root], name


def read_outputs(paths: list[Path], *, include_stale: bool = True,
                 read: Callable[[Path], Document | bytes] = read_output) -> Outputs:
    """The valid output documents among ``paths`` (as ``read`` gives them: models, or their bytes with
    ``read_output_bytes``); the invalid ones and (unless ``include_stale``) the ones the last batch
    listed as stale are set aside."""
    result = Outputs([], [], [])
    records = Records()
    for path in paths:
        if not include_stale and records.stale(path):
            result.stale.append(path)
            continue
        try:
            result.documents.append((path, read(path)))
        except InputError as exc:
            result.invalid.append(exc)
    return result


def stale_outputs(paths: list[Path], records: Records | None = None) -> set[Path]:
    """The outputs among ``paths`` the last batch listed as stale (their input is gone or has changed);
    ``records``: the batch records already read, when a caller has them."""
    records = Records() if records is None else records
    return {path for path in paths if records.stale(path)}


def _outdir_above(folder: str) -> tuple[Path, str] | None:
    """The nearest folder at or above ``folder`` with a batch's records, and the way from it down to
    ``folder`` ("" or "a/b/"); None when there is none."""
    here = folder
    while not os.path.isfile(os.path.join(here, batch.MANIFEST)):
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up
    inside = Path(folder).relative_to(here).as_posix()
    return Path(here), "" if inside == "." else inside + "/"


def recorded_texts(documents: list[tuple[Path, Document]]) -> list[str | None]:
    """For each (path, document): the text its offsets point into. The document carries it (html,
    docx, pdf), or it is the input the batch recorded for this output in its manifest, read only while
    its bytes still hash to what the batch read. The document's own ``source`` field is never opened:
    a crafted output could name any file of the machine."""
    records = Records()
    return [doc.text if doc.text is not None else _recorded_input(records.source(path), doc)
            for path, doc in documents]


def _recorded_input(entry: dict | None, doc: Document) -> str | None:
    if entry is None or entry["input_sha256"] != doc.input_sha256:
        return None
    if batch.file_digest(entry["input"]) != entry["input_sha256"]:  # gone, changed, or no regular file
        return None
    try:
        return load(Path(entry["input"])).text  # decoded as at extraction, so the offsets agree
    except InputError:
        return None
