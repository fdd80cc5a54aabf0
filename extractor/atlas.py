"""The official administrative units, read from the data the ``vietnamadminunits`` package ships, indexed once.

Two sets of units, each with the General Statistics Office's codes and the package's coordinates:

- ``legacy``: the 63 provinces with their districts and communes as they stood before 1 July 2025 (the
  package's snapshot is of early 2025; the former names of units merged before then are its aliases);
- ``2025``: the 34 provinces and their communes from 1 July 2025, when the district level was abolished;

and what each legacy commune and province became in 2025. The package's files (an SQLite database and a JSON
mapping) are read here directly, read-only, once per process: its address parser would match one name at a
time with linear scans, and its converter asks a geocoding service on the network about a commune that was
divided. Nothing here downloads anything.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

from .normalise import fold

PACKAGE = "vietnamadminunits"
SUPPORTED = ">=1.0.4,<1.1"  # the releases whose data layout this module reads (pinned in pyproject.toml)
LEVELS = ("province", "district", "commune")

SEPARATORS = regex.compile(r"[\s,.\-–]+")  # what a name key makes one space
LEADING_ZEROS = regex.compile(r"\b0+(?=\d)")
_LEGACY_COLUMNS = ("province", "provinceShort", "provinceCode", "provinceLat", "provinceLon", "provinceKey",
                   "district", "districtShort", "districtType", "districtCode", "districtLat", "districtLon",
                   "districtKey", "districtAlias", "ward", "wardShort", "wardType", "wardCode", "wardLat", "wardLon",
                   "wardKey", "wardAlias")
_NEW_COLUMNS = ("province", "provinceShort", "provinceCode", "provinceLat", "provinceLon", "provinceKey",
                "ward", "wardShort", "wardType", "wardCode", "wardLat", "wardLon", "wardKey")


class AdminDataError(RuntimeError):
    """The package's data is missing or not laid out as this module reads it."""


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name as the index keys it: folded, separators as one space, numbers without leading zeros
    ("Bà Rịa - Vũng Tàu" → "ba ria vung tau", "Phường 05" → "phuong 5")."""
    return LEADING_ZEROS.sub("", SEPARATORS.sub(" ", fold(name)).strip())


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative unit of the package's data."""

    structure: str  # "legacy" or "2025"
    level: str  # "province", "district" or "commune"
    code: str
    name: str  # the official name with its type: "Xã Na Tông"
    type: str  # the type, as a key: "xa", "thi xa", "thanh pho"
    short: str  # the name without its type, as written: "Na Tông"
    province_code: str
    province_name: str
    district_code: str | None
    district_name: str | None
    latitude: float | None
    longitude: float | None
    key: str  # the package's key of the unit in its province: "tinhdienbien_huyendienbien_xanatong"


@dataclass(frozen=True, slots=True)
class Successor:
    """What a legacy unit became on 1 July 2025."""

    change: str  # unchanged, renamed, merged, divided, dissolved
    province: Place
    ward: Place | None  # the commune it became (the package's default one when it was divided)
    wards: tuple[Place, ...]  # every 2025 commune that took in part of it


def _type_of(full: str, short: str) -> str:
    """The type of a unit from its full and short names: "Thành phố Hà Nội", "Hà Nội" → "thanh pho"."""
    return name_key(full[:len(full) - len(short)]) if full.endswith(short) else name_key(full.split(" ")[0])




def _rows(db: Path, table: str, columns: tuple[str, ...], order: str) -> list[dict]:
    """The table's rows, each a dict of the columns named (the package's layout is checked first)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            found = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
            missing = [c for c in columns if c not in found]
            if missing:
                raise AdminDataError(f"{db}: table {table} has no column {', '.join(missing)}")
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM [{table}] ORDER BY {order}").fetchall()
    except sqlite3.Error as exc:
        raise AdminDataError(f"{db}: cannot be read: {exc}") from None
    return [dict(zip(columns, row, strict=True)) for row in rows]


def data_dir() -> Path:
    """The package's data folder, found without importing the package (which would load its geocoder)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise AdminDataError(f"{PACKAGE} is not installed: pip install '{PACKAGE}{SUPPORTED}'")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def version() -> str:
    try:
        return f"{PACKAGE} {importlib.metadata.version(PACKAGE)}"
    except importlib.metadata.PackageNotFoundError:
        return PACKAGE


class Atlas:
    """The units of both structures, by level and name key, and the mapping from legacy units to 2025."""

    def __init__(self, folder: Path):
        db = folder / "dataset.db"
        if not db.is_file():
            raise AdminDataError(f"{db}: not found")
        self.version = version()
        self.by_name: dict[tuple[str, str, str], list[Place]] = defaultdict(list)
        self.by_alias: dict[tuple[str, str, str], list[Place]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)  # level → the types the data names
        self.places: dict[tuple[str, str, str], Place] = {}  # (structure, level, code) → place
        self._communes_of: dict[str, list[Place]] = defaultdict(list)  # legacy district code → its communes
        self._by_key: dict[tuple[str, str], Place] = {}  # (structure, package key) → place
        self._read_legacy(_rows(db, "admin_units_legacy", _LEGACY_COLUMNS, "provinceCode, districtCode, wardCode"))
        self._read_2025(_rows(db, "admin_units", _NEW_COLUMNS, "provinceCode, wardCode"))
        self._read_mapping(folder / "converter_2025.json")
        self._successors: dict[Place, Successor | None] = {}

    def _add(self, place: Place, aliases: str | None = None) -> None:
        if (place.structure, place.level, place.code) in self.places:
            return
        self.places[(place.structure, place.level, place.code)] = place
        self._by_key[(place.structure, place.key)] = place
        self.types[place.level].add(place.type)
        short = name_key(place.short)
        self.by_name[(place.structure, place.level, short)].append(place)
        if short.startswith(place.type + " "):  # "Phường 1" is named "1" after its type in the text
            self.by_name[(place.structure, place.level, short[len(place.type) + 1:])].append(place)
        for alias in json.loads(aliases) if aliases else ():
            self.by_alias[(place.structure, place.level, alias)].append(place)

    def _province(self, structure: str, r: dict) -> Place:
        known = self.places.get((structure, "province", r["provinceCode"]))
        return known or Place(structure, "province", r["provinceCode"], r["province"],
                              _type_of(r["province"], r["provinceShort"]), r["provinceShort"], r["provinceCode"],
                              r["province"], None, None, r["provinceLat"], r["provinceLon"], r["provinceKey"])

    def _district(self, province: Place, r: dict) -> Place:
        known = self.places.get(("legacy", "district", r["districtCode"]))
        return known or Place("legacy", "district", r["districtCode"], r["district"], name_key(r["districtType"]),
                              r["districtShort"], province.code, province.name, r["districtCode"], r["district"],
                              r["districtLat"], r["districtLon"], f"{r['provinceKey']}_{r['districtKey']}_")

    def _read_legacy(self, rows: list[dict]) -> None:
        previous = None  # the rows come ordered by district
        for r in rows:
            province = self._province("legacy", r)
            district = self._district(province, r)
            if district.code != previous:
                self._add(province)
                self._add(district, r["districtAlias"])
                previous = district.code
            if r["ward"] is None:  # an island district without communes
                continue
            commune = Place("legacy", "commune", r["wardCode"], r["ward"], name_key(r["wardType"]), r["wardShort"],
                            province.code, province.name, district.code, district.name, r["wardLat"], r["wardLon"],
                            f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}")
            self._add(commune, r["wardAlias"])
            self._communes_of[district.code].append(commune)

    def _read_2025(self, rows: list[dict]) -> None:
        for r in rows:
            province = self._province("2025", r)
            self._add(province)
            self._add(Place("2025", "commune", r["wardCode"], r["ward"], name_key(r["wardType"]), r["wardShort"],
                            province.code, province.name, None, None, r["wardLat"], r["wardLon"],
                            f"{r['provinceKey']}_{r['wardKey']}"))

    def _read_mapping(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            provinces, kept, divided = (data[k] for k in ("DICT_PROVINCE", "DICT_PROVINCE_WARD_NO_DIVIDED",
                                                          "DICT_PROVINCE_WARD_DIVIDED"))
        except (OSError, ValueError, KeyError) as exc:
            raise AdminDataError(f"{path}: cannot be read as the 2025 mapping: {exc}") from None
        self._new_province = {old: new for new, olds in provinces.items() for old in olds}
        self._olds_of_province = provinces
        self._new_wards: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # old key → (new key, default)
        self._olds_of_ward: dict[str, list[str]] = {}
        for new_province, wards in kept.items():
            for ward, olds in wards.items():
                self._olds_of_ward[f"{new_province}_{ward}"] = olds
                for old in olds:
                    self._new_wards[old].append((f"{new_province}_{ward}", True))
        for new_province, olds in divided.items():
            for old, parts in olds.items():
                self._new_wards[old] += [(f"{new_province}_{p['newWardKey']}", p["isDefaultNewWard"]) for p in parts]

    def find(self, structure: str, level: str, name: str) -> list[Place]:
        return self.by_name.get((structure, level, name), [])

    def find_alias(self, structure: str, level: str, name: str) -> list[Place]:
        """The units that list ``name`` (or it after their type) as a former name; the package keys
        aliases without spaces ("huyenkyson")."""
        joined = name.replace(" ", "")
        found = self.by_alias.get((structure, level, joined), [])
        typed = (t.replace(" ", "") + joined for t in sorted(self.types[level]))
        return found or [p for alias in typed for p in self.by_alias.get((structure, level, alias), [])]

    def former_provinces(self, province: Place) -> list[Place]:
        """The legacy provinces a province of 2025 was made of."""
        olds = self._olds_of_province.get(province.key, []) if province.structure == "2025" else []
        return [p for p in (self._by_key.get(("legacy", key)) for key in olds) if p is not None]

    def successor(self, place: Place) -> Successor | None:
        """What a legacy unit became in 2025 (None for a unit of 2025 itself)."""
        if place.structure != "legacy":
            return None
        if place not in self._successors:
            self._successors[place] = self._successor(place)
        return self._successors[place]

    def _successor(self, place: Place) -> Successor | None:
        if place.level == "province":
            return self._province_successor(place)
        olds = [place.key]
        if place.level == "district":  # its communes, or itself for an island district without any
            olds = [c.key for c in self._communes_of.get(place.code, ())] or olds
        parts = [(self._by_key.get(("2025", key)), default)
                 for old in olds for key, default in self._new_wards.get(old, ())]
        parts = [(p, default) for p, default in parts if p is not None]
        if not parts:
            return None
        wards = sorted({p for p, _ in parts}, key=lambda p: p.code)
        default = next((p for p, d in parts if d), wards[0])
        province = self.places[("2025", "province", default.province_code)]
        if place.level == "district":
            return Successor("dissolved", province, None, tuple(wards))
        return Successor(self._ward_change(place, wards), province, default, tuple(wards))

    def _province_successor(self, place: Place) -> Successor | None:
        new = self._by_key.get(("2025", self._new_province.get(place.key, "")))
        if new is None:
            return None
        change = "unchanged" if self._olds_of_province.get(new.key) == [place.key] else "merged"
        return Successor(change, new, None, ())

    def _ward_change(self, place: Place, wards: list[Place]) -> str:
        if len(wards) > 1:
            return "divided"
        olds = self._olds_of_ward.get(wards[0].key, [])
        if len(olds) > 1:
            return "merged"
        return "unchanged" if name_key(wards[0].short) == name_key(place.short) else "renamed"


@functools.lru_cache(maxsize=1)
def load() -> Atlas:
    """The atlas, built on first use (a third of a second or so) and kept for the process."""
    return Atlas(data_dir())
