from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "gold"
SEEDS = sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="session")
def patterns():
    from extractor.patterns import load

    return load()


@pytest.fixture(scope="session")
def seed_docs():
    from extractor import extract_file

    return {p.stem: (p.read_text(encoding="utf-8"), extract_file(p)) for p in SEEDS}
