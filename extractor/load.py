"""Load: read an input file as text, with a clear error naming the file when it cannot be.

Plain text may be UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when its NUL
bytes show it) or Windows-1258, the legacy Vietnamese code page; the encoding found is recorded.
Saved web pages, .docx and .pdf go through ``formats``.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .formats import CONVERTERS, FORMAT_NAMES
from .models import Ocr
from .tables import TableTooLarge

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a long report is a few hundred KB; 20 MB is far beyond any article
SUFFIXES = frozenset({".txt", *CONVERTERS})

# Letters only Vietnamese uses; legacy-encoded text shows them once decoded with the right code page.
_VIETNAMESE = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")


@dataclass(frozen=True)
class Loaded:
    path: Path
    text: str
    encoding: str
    format: str
    sha256: str
    title: str | None = None
    published: str | None = None
    units: tuple[tuple[int, int], ...] = ()  # spans of ``text`` that name a unit: the row labels of its tables
    ocr: Ocr | None = None  # how the text was read when it came from OCR of a scan


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 4 and even == 0:
        return "utf-16-le"
    if even > len(sample) // 4 and odd == 0:
        return "utf-16-be"
    return None


def _looks_vietnamese(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    marked = sum(ch in _VIETNAMESE or unicodedata.combining(ch) > 0 for ch in text)
    return letters > 0 and marked / letters > 0.02


def decode(data: bytes, path: str) -> tuple[str, str]:
    """(text, encoding) of a plain-text file, or InputError naming the reason."""
    if not data:
        raise InputError(path, "empty file")
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(path, f"not decodable as UTF-16 (byte {exc.start})") from None
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise InputError(path, "not text: it contains NUL bytes (a binary file?)")
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise InputError(path, f"truncated UTF-8: the file ends inside a character (byte {exc.start})") from None
        utf8_error = f"not decodable as UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
    try:
        legacy = data.decode("cp1258")
    except UnicodeDecodeError:
        raise InputError(path, utf8_error) from None
    if _looks_vietnamese(legacy):
        return legacy, "cp1258"
    raise InputError(path, utf8_error + ", nor Vietnamese in Windows-1258")


_MOJIBAKE_SAMPLE = 200_000  # characters: mojibake shows in the first of them


def _check_mojibake(text: str, path: str) -> None:
    """Refuse a text whose letters were decoded in the wrong encoding before it was saved ("Ä‘áº£ng" for
    "đảng": UTF-8 read as Windows-1252): ftfy recognises the sequences, and its repair tells what they were."""
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    sample = text[:_MOJIBAKE_SAMPLE]
    if is_bad(sample):
        fixed = fix_encoding(sample)
        if fixed != sample:
            bad = next(i for i, (a, b) in enumerate(zip(sample, fixed)) if a != b)
            raise InputError(path, f"the text is mojibake (UTF-8 decoded as another encoding before it was saved: "
                                   f"{sample[bad:bad + 12]!r} for {fixed[bad:bad + 8]!r}); repair it, e.g. with "
                                   f"ftfy, and save it as UTF-8")


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
    digest = hashlib.sha256(data).hexdigest()
    suffix = p.suffix.lower()
    converter = CONVERTERS.get(suffix)
    if converter is None:
        text, encoding = decode(data, str(p))
        _check_mojibake(text, str(p))
        return Loaded(p, text, encoding, "text", digest)
    if not data:
        raise InputError(str(p), "empty file")
    try:
        converted = converter(data, str(p))
    except TableTooLarge as exc:
        raise InputError(str(p), str(exc)) from None
    _check_mojibake(converted.text, str(p))
    return Loaded(p, converted.text, "utf-8", FORMAT_NAMES[suffix], digest, converted.title, converted.published,
                  converted.units, converted.ocr)
