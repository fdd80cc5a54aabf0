"""Load: read an input file as text, with a clear error when it cannot be."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a long report is a few hundred KB; 20 MB is far beyond any article


@dataclass(frozen=True)
class Loaded:
    path: Path
    text: str
    encoding: str


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or UTF-16 with a BOM; refuse binary data."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not decodable as UTF-16 (byte {exc.start})") from None
    if b"\x00" in data[:4096]:
        raise InputError(path, "not text: it contains NUL bytes (a binary file?)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not decodable as UTF-8: invalid byte 0x{data[exc.start]:02x} at offset {exc.start}") from None
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def load(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    p = Path(path)
    if not p.exists():
        raise InputError(str(p), "not found")
    if not p.is_file():
        raise InputError(str(p), "not a regular file")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(str(p), f"too large: {size} bytes, the limit is {max_bytes} (set max_bytes / --max-bytes)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(p), f"cannot be read: {exc.strerror}") from None
    text, encoding = decode(data, str(p))
    return Loaded(p, text, encoding)
