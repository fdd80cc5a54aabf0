"""The language lives in patterns/: no Vietnamese word list or phrase regex in extractor/*.py.

Outside decoding and normalisation (load.py, normalise.py) and the contract's own codes (models.py:
the qualifiers are Vietnamese words by design), the code may hold Vietnamese only in docstrings,
comments and help texts. A word list is a set, list, tuple or dict of strings of which one has
Vietnamese letters, or of which every one is lower-case Vietnamese syllables without diacritics
("cac", "nhung"); a phrase regex is a pattern with such words once its escapes and classes are gone.
"""

import ast
import unicodedata
from pathlib import Path

import pytest
import regex

ROOT = Path(__file__).resolve().parent.parent / "extractor"
ALLOWED = {"load.py", "normalise.py", "models.py"}
HELP_KEYWORDS = {"help", "description", "epilog"}
# A Vietnamese syllable without diacritics: initial consonant(s), vowel nucleus, final consonant(s).
_SYLLABLE = regex.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                          r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue"
                          r"|ui|uo|uu|uy|ye|[aeiouy])(?:ch|ng|nh|[cmnpt])?$")
_REGEX_SYNTAX = regex.compile(r"\\[pPN]\{[^}]*\}|\\[a-zA-Z]|\(\?P?<[^>]*>|\(\?[:=!<>]+|\[[^\]]*\]")


def _accented(s: str) -> bool:
    return any(ord(c) > 127 and unicodedata.category(c).startswith("L") for c in s)


def _syllables(s: str) -> bool:
    plain = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()
    words = regex.findall(r"[a-z]+", plain.replace("đ", "d"))
    return bool(words) and any(len(w) >= 2 for w in words) and all(_SYLLABLE.match(w) for w in words)


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _help_texts(tree: ast.AST) -> set[int]:
    return {id(s) for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg in HELP_KEYWORDS
            for s in ast.walk(node.value)}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def words_in(source: str) -> list[tuple[int, str]]:
    """(line, text) of each Vietnamese word list, phrase regex or Vietnamese string in ``source``."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _help_texts(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "compile":
            found += [(node.lineno, s) for s in _strings(node) if _syllables(_REGEX_SYNTAX.sub(" ", s))]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
            items = [n.value for n in (node.keys if isinstance(node, ast.Dict) else node.elts)
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            if len(items) >= 2 and all(i == i.lower() and _syllables(i) for i in items):
                found.append((node.lineno, " | ".join(items)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and _accented(node.value):
            found.append((node.lineno, node.value))
    return sorted(set(found))


@pytest.mark.parametrize("path", sorted(p for p in ROOT.glob("*.py") if p.name not in ALLOWED), ids=lambda p: p.name)
def test_no_vietnamese_words_in_the_code(path):
    found = words_in(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: move these to patterns/ (with examples): {found}"


@pytest.mark.parametrize("code", [
    'X = regex.compile(r"\\bso\\s+voi\\s+(?:tong\\s+)?so\\s*$")',
    'X = frozenset({"cac", "nhung"})',
    'X = ("tong", "trong")',
    'if word == "khối": pass',
    'X = {"tỉnh": 1}',
])
def test_the_detector_finds_words_in_code(code):
    assert words_in(code)


@pytest.mark.parametrize("code", [
    'X = regex.compile(r"[;:(),.\\d]|\\s{0,3}(?P<name>\\p{Lu}\\w*)")',
    'X = ("headline", "body", "caption")',
    'X = frozenset({"TCCSD", "CHI_BO"})',
    'def f():\n    """Đảng bộ có 69 tổ chức cơ sở đảng."""',
    'p.add_argument("--x", help="như «Đảng bộ»")',
])
def test_the_detector_leaves_code_alone(code):
    assert not words_in(code)
