"""Official units: each figure's unit, and the document's reporting unit, linked to Vietnam's administrative units.

A unit's name is read with the words of ``patterns/admin.yaml`` (``admin_names``): what it is (``unit_kind``: a
province, district, commune or village, or an organisation that is no territory: a bloc, agency, enterprise,
school, hospital, police or army committee) and the territories it names. These are looked up in the official
lists (``atlas``) within the document's province, which is, in this order:

- the province the reporting unit names ("Đảng ủy Công an tỉnh Tây Ninh", "Tỉnh ủy Hậu Lâm", even one the
  lists do not have);
- the province the page names most ("tỉnh Thái Bình"; in the report header and headline thrice) among those
  with a unit of the reporting unit's name, else the one it names most;
- the one province with a unit written as the reporting unit is (type and diacritics);
- the province named only in teasers of other articles, or by its bare name in a masthead or footer.

A name found in several provinces, or in several districts of the province, is left unresolved with the
reason; so is, when no province is known, a name the lists write otherwise. A document that reports on 2025
or later is looked up in the lists of 2025 first, any other in the legacy lists (with districts) only.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from . import atlas as atlas_data
from .admin_names import Reading, Segment, Words, read, same_spelling, words
from .atlas import SEPARATORS, AdminDataError, Atlas, Place, name_key
from .models import Admin, AdminWard, DocumentProvince, Successor2025, UnitAdmin
from .normalise import Normalised, plain
from .page import Page
from .patterns import PatternError, Patterns
from .units import unit_key

TERRITORIES = ("province", "district", "commune")
# How much a province's mention counts for the document, by the role of its paragraph (see ``page``): a
# report header and the headline name the document's own.
_ROLE_WEIGHT = {"header": 3, "headline": 3}
_NOT_FOUND = "not found"


@functools.lru_cache(maxsize=8)
def check_types(found: Atlas, w: Words, patterns: Patterns) -> None:
    """Every type the official lists use is a level word of ``admin.yaml``: fail naming the one missing."""
    for level in TERRITORIES:
        listed = {name_key(x) for x in w.data.levels[level].words}
        missing = sorted(found.types[level] - listed)
        if missing:
            raise PatternError(f"{patterns.directory / 'admin.yaml'}: levels.{level}: the official lists name "
                               f"{', '.join(missing)}, which it does not list")


@dataclass(frozen=True)
class Scope:
    """A province to look names up in: its level word and name as keys, its official unit, and its
    (structure, code) in both structures."""

    level: str  # "tinh", "thanh pho"
    name: str  # "dien bien"; as written when it is not in the lists ("hau lam")
    place: Place | None
    codes: frozenset[tuple[str, str]]
    written: str | None = None

    @property
    def key(self) -> str:
        return f"{self.level} {self.name}"

    def holds(self, place: Place) -> bool:
        return (place.structure, place.province_code) in self.codes


@dataclass
class _Named:
    """A province the page names, how (tier 1: with its level word in the page's own parts; 2: only in teasers,
    or by its bare name in a masthead or footer), and how much, by the role of the parts."""

    scope: Scope
    written: str
    tier: int
    weight: int = 0
    roles: dict[str, int] = field(default_factory=dict)


@dataclass
class _Found:
    place: Place | None = None
    matched: str = "name"
    reason: str | None = None


@dataclass
class _Inside:
    """The territories a unit's name places it in, outermost resolved first."""

    scope: Scope | None
    district: Place | None = None
    finest: _Found | None = None


class Linker:
    """Links the units of one document; each distinct unit is read and looked up once."""

    def __init__(self, norm: Normalised, page: Page, reporting_unit: str | None, year: int | None,
                 patterns: Patterns):
        self.patterns, self.words = patterns, words(patterns)
        self.atlas: Atlas | None = None
        self.unavailable: str | None = None
        try:
            self.atlas = atlas_data.load()
            check_types(self.atlas, self.words, patterns)
        except AdminDataError as exc:
            self.atlas, self.unavailable = None, f"official units not available: {exc}"
        self.order = ("2025", "legacy") if year is not None and year >= 2025 else \
            ("legacy",) if year is not None else ("legacy", "2025")
        self._links: dict[str, UnitAdmin] = {}
        self.chain: dict[str, Place] = {}
        self.scope: Scope | None = None
        self.province: DocumentProvince | None = None
        self.reporting: UnitAdmin | None = None
        if self.atlas is None:
            return
        self._page = (norm, page)
        self.scope, self.province = self._decide_province(reporting_unit)
        if self.scope is not None and self.scope.place is not None:
            self.chain["province"] = self.scope.place
        if reporting_unit:
            self.reporting = self.link(reporting_unit)
            self._chain_from(self.reporting)

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [("admin_data", self.unavailable)] if self.unavailable else []

    @property
    def data(self) -> str:
        return self.atlas.version if self.atlas is not None else self.unavailable or ""

    # -- the document's province ---------------------------------------------------------------------------

    @functools.cached_property
    def named(self) -> list[_Named]:
        """The provinces the page names, best first: "tỉnh Thái Bình", "TP. Hồ Chí Minh" in its article, report
        header, menus or footer (a header's or headline's mention counting thrice); then, only there, the ones
        named in teasers of other articles, or by their bare name in a masthead or footer ("Báo Thái Bình").
        Read only when needed: a reporting unit that names its province needs them only for a unit not in it."""
        norm, page = self._page
        starts = [p.start for p in page.parts]
        found: dict[str, _Named] = {}

        def add(m: regex.Match, tier: int, role: str) -> None:
            scope = self._scope_named(m.group("name"))
            if scope is None:
                return
            named = found.setdefault(scope.key, _Named(scope, norm.text[m.start("name"):m.end("name")], tier))
            if tier < named.tier:  # a better kind of mention: count from it
                named.tier, named.weight, named.roles = tier, 0, {}
            if tier == named.tier:
                named.weight += _ROLE_WEIGHT.get(role, 1)
                named.roles[role] = named.roles.get(role, 0) + _ROLE_WEIGHT.get(role, 1)

        for m in _province_regex(self.words, self.atlas).finditer(norm.folded):
            k = bisect.bisect_right(starts, m.start()) - 1
            role = page.parts[k].role if k >= 0 else "body"
            add(m, 2 if role == "sidebar" else 1, role)
        bare = _bare_province_regex(self.words, self.atlas)
        for part in page.parts:
            if part.role in ("furniture", "footer"):
                for m in bare.finditer(norm.plain, part.start, part.end):
                    add(m, 2, part.role)
        return sorted(found.values(), key=lambda n: (n.tier, -n.weight))

    def _scope_named(self, written_key: str) -> Scope | None:
        name = name_key(written_key)
        name = self.words.aliases.get(name, name)
        for structure in self.order:
            found = self.atlas.find(structure, "province", name)
            if found:
                return self._scope_of(found[0])
        return None

    def _scope_of(self, place: Place) -> Scope:
        return _scope(place, self.atlas)

    def _decide_province(self, reporting_unit: str | None) -> tuple[Scope | None, DocumentProvince | None]:
        reading = read(reporting_unit, self.words, self.patterns) if reporting_unit else None
        segments = [] if reading is None else [s for s in (reading.own, *reading.parents) if s is not None and s.name]
        named = self._named_by_reporting_unit(segments)
        return named if named is not None else self._decided_by_page(segments)

    def _named_by_reporting_unit(self, segments: list[Segment]) -> tuple[Scope, DocumentProvince] | None:
        for seg in (s for s in segments if "province" in s.levels):
            found = self._province_place(seg)
            if found.place is not None:
                scope = self._scope_of(found.place)
                return scope, self._decision(scope, seg.written, "reporting_unit", "the reporting unit names it", found)
            if seg.levels == ("province",):  # "tỉnh Hậu Lâm": a province, though not one of the official lists
                return Scope(seg.word, seg.name, None, frozenset(), seg.written), DocumentProvince(
                    written=seg.written, source="reporting_unit",
                    reason="the reporting unit names it; it is not in the official lists")
        return None

    def _decided_by_page(self, segments: list[Segment]) -> tuple[Scope | None, DocumentProvince | None]:
        candidates = self._reporting_candidates(segments)
        first, second = [n for n in self.named if n.tier == 1], [n for n in self.named if n.tier == 2]
        holding = [n for n in first + second if any(n.scope.holds(p) for p, _ in candidates)]
        if holding or first:
            return self._named_decision((holding or first)[0], bool(holding))
        only = self._only_province(candidates)
        if only is not None:
            scope = self._scope_of(only)
            return scope, self._decision(scope, None, "reporting_unit",
                                         "the only province with a unit of the reporting unit's name")
        return self._named_decision(second[0], False) if second else (None, None)

    def _reporting_candidates(self, segments: list[Segment]) -> list[tuple[Place, Segment]]:
        """The units of the names of the reporting unit's districts and communes, in any province."""
        return [(p, seg) for seg in segments for level in seg.levels if level != "province"
                for p in self._candidates(level, seg)]

    def _only_province(self, candidates: list[tuple[Place, Segment]]) -> Place | None:
        """With no province named, only a unit written the same (type and diacritics) tells the province."""
        provinces = {p.province_code: p for p, seg in candidates if self._typed(p, seg) and self._same(p, seg)}
        return next(iter(provinces.values())) if len(provinces) == 1 else None

    def _named_decision(self, named: _Named, holds: bool) -> tuple[Scope, DocumentProvince]:
        header = named.tier == 1 and max(named.roles, key=lambda r: (named.roles[r], r == "header")) == "header"
        reason = ("named most in the report header" if header else "named most on the page" if named.tier == 1
                  else "named only in the page's masthead, footer or teasers of other articles")
        reason += ", and it has a unit of the reporting unit's name" if holds else ""
        return named.scope, self._decision(named.scope, named.written, "header" if header else "text", reason)

    def _decision(self, scope: Scope, written: str | None, source: str, reason: str,
                  found: _Found | None = None) -> DocumentProvince:
        return DocumentProvince(admin=self._admin(scope.place, found.matched if found else "name"), written=written,
                                source=source, reason=reason)

    # -- looking names up -----------------------------------------------------------------------------------

    def _province_place(self, seg: Segment) -> _Found:
        """A province by name: "thành phố X" only a centrally-run city, "tỉnh X" any (Huế was a tỉnh)."""
        name = self.words.aliases.get(seg.name, seg.name)
        for structure in self.order:
            found = [p for p in self.atlas.find(structure, "province", name)
                     if seg.levels != ("province", "district") or p.type == seg.word]
            if found:
                return _Found(found[0], "alias" if name != seg.name else self._spelling(found[0], seg))
        return _Found(reason=_NOT_FOUND)

    def _typed(self, place: Place, seg: Segment) -> bool:
        """Whether a unit has the type a name was written with, or one it may have become since."""
        return not seg.word or place.type == seg.word or place.type in self.words.upgrades.get(seg.word, ())

    def _spelling(self, place: Place, seg: Segment) -> str:
        return "name" if self._same(place, seg) else "folded"

    def _searches(self, level: str) -> list[tuple[str, str]]:
        """Where a name is looked for, in order: by name in each structure (the document's first), then by a
        former name (there are no districts in 2025)."""
        return [(structure, how) for how in ("name", "alias") for structure in self.order
                if not (level == "district" and structure == "2025")]

    def _candidates(self, level: str, seg: Segment) -> list[Place]:
        return [p for structure, how in self._searches(level) for p in self._lookup(structure, how, level, seg.name)]

    def _lookup(self, structure: str, how: str, level: str, name: str) -> list[Place]:
        return (self.atlas.find if how == "name" else self.atlas.find_alias)(structure, level, name)

    def _resolve(self, seg: Segment, inside: _Inside) -> _Found:
        """The official unit a segment names, within the territories around it."""
        if not seg.name:
            return self._nameless(seg)
        reasons = []
        for level in seg.levels:
            found = self._province_place(seg) if level == "province" else self._pick(level, seg, inside)
            if found.place is not None:
                return found
            reasons.append(found.reason)
        return _Found(reason=next((r for r in reasons if r != _NOT_FOUND), _NOT_FOUND))

    def _pick(self, level: str, seg: Segment, inside: _Inside) -> _Found:
        """The unit of that level and name in the territories around it, in the first structure (and way of
        naming) that has one there; or why there is none."""
        seen: list[Place] = []  # the units of that name elsewhere, for the reason
        for structure, how in self._searches(level):
            found = self._lookup(structure, how, level, seg.name)
            seen += found if how == "name" else []
            picked = self._narrow(found, how, seg, inside) if found else None
            if picked is not None:
                return picked
        if inside.scope is not None:
            where = f" (found in {_names(p.province_name for p in seen)})" if seen else ""
            return _Found(reason=f"{_NOT_FOUND} in {self._scope_name(inside.scope)}{where}")
        if seen:
            return _Found(reason=f"{_NOT_FOUND} as written, and no province is named to take another spelling or "
                                 f"type ({_names(f'{p.name}, {p.province_name}' for p in seen)})")
        return _Found(reason=_NOT_FOUND)

    def _narrow(self, found: list[Place], how: str, seg: Segment, inside: _Inside) -> _Found | None:
        """One of the units found, or why not; None when none is in the document's province (or, with no
        province, none is written the same, type and diacritics: then the name alone proves nothing)."""
        found = self._by_type(found, seg)
        spelled = [p for p in found if how == "name" and self._same(p, seg)]
        if inside.scope is None:
            found = [p for p in spelled if self._typed(p, seg)]
            if len({p.province_code for p in found}) > 1:
                return _Found(reason=f"name in several provinces: {_names(p.province_name for p in found)}")
        else:
            found = self._held(found, spelled, inside.scope)
        return self._one(found, inside, how, spelled) if found else None

    def _held(self, found: list[Place], spelled: list[Place], scope: Scope) -> list[Place]:
        """The units in the province (else in one other the page names), those written the same first."""
        held = [p for p in found if scope.holds(p)] or self._in_named(found)
        return [p for p in held if p in spelled] or held

    def _by_type(self, found: list[Place], seg: Segment) -> list[Place]:
        """The units of the type written, else of a type it may have become, else all."""
        typed = [p for p in found if self._typed(p, seg)]
        return [p for p in typed if p.type == seg.word] or typed or found

    def _one(self, found: list[Place], inside: _Inside, how: str, spelled: list[Place]) -> _Found:
        """The one unit of several in a province that lies in the district around it, or why there is none."""
        district = inside.district or self.chain.get("district")
        if len(found) > 1 and district is not None:
            found = [p for p in found if p.district_code == district.code] or found
        if len(found) > 1:
            return _Found(reason=f"name in several districts of {found[0].province_name}: "
                                 f"{_names(p.district_name or p.name for p in found)}")
        return _Found(found[0], "alias" if how == "alias" else "name" if found[0] in spelled else "folded")

    def _same(self, place: Place, seg: Segment) -> bool:
        return same_spelling(_short(place), seg.written, self.words.variants)

    def _in_named(self, found: list[Place]) -> list[Place]:
        """Units in one other province the page names (a provincial page on its neighbours)."""
        held = [p for p in found if any(n.scope.holds(p) for n in self.named)]
        return held if len({p.province_code for p in held}) == 1 else []

    def _nameless(self, seg: Segment) -> _Found:
        """A level without a name ("Công an tỉnh", "Đảng bộ huyện"): the document's unit of that level."""
        chained = [self.chain[level] for level in seg.levels if level in self.chain]
        place = next((p for p in chained if p.type == seg.word), chained[0] if chained else None)
        if place is not None:
            return _Found(place)
        if "province" in seg.levels:
            return _Found(reason=f"{_NOT_FOUND}: {self._scope_name(self.scope)} is not in the official lists"
                          if self.scope is not None else "no province named in the document")
        return _Found(reason="named by its level only, and the document names no such unit")

    def _scope_name(self, scope: Scope) -> str:
        return scope.place.name if scope.place is not None else scope.written or scope.key

    def _inside(self, reading: Reading) -> _Inside:
        inside = _Inside(self.scope)
        for seg in reversed(reading.parents):
            found = self._resolve(seg, inside)
            if found.place is None:
                continue
            if found.place.level == "province":
                inside.scope = self._scope_of(found.place)
            elif found.place.level == "district":
                inside.district = found.place
            inside.finest = found
        return inside

    # -- linking a unit -------------------------------------------------------------------------------------

    def link(self, unit: str | None) -> UnitAdmin | None:
        if not unit:
            return None
        if unit not in self._links:
            self._links[unit] = self._link(unit)
        return self._links[unit]

    def _link(self, unit: str) -> UnitAdmin:
        if self.atlas is None:
            return UnitAdmin(unit_kind="other", admin_reason=self.unavailable)
        reading = read(unit, self.words, self.patterns)
        base = unit_key(unit, self.patterns)
        inside = self._inside(reading)
        if reading.national:
            return UnitAdmin(unit_kind=reading.kind, admin_reason="not a territorial unit", scoped_unit_key=base)
        if reading.own is not None and not reading.kind:
            found = self._resolve(reading.own, inside)
            return UnitAdmin(unit_kind=found.place.level if found.place is not None else _guess(reading.own),
                             admin=self._admin(found.place, found.matched), admin_reason=found.reason,
                             scoped_unit_key=self._scoped(base, found.place, inside))
        if reading.bare is not None:
            return self._bare(reading.bare, base, inside)
        within = inside.finest or self._document_territory()
        reason = "a village, below the commune" if reading.kind == "village" else "not a territorial unit"
        return UnitAdmin(unit_kind=reading.kind or "other", admin_reason=reason,
                         admin_within=self._admin(within.place, within.matched) if within else None,
                         scoped_unit_key=self._scoped(base, None, inside))

    def _bare(self, seg: Segment, base: str, inside: _Inside) -> UnitAdmin:
        """A name with no level ("Cẩm Vũ" in a district's list of communes): a unit one level below the
        reporting unit's, else the other level, within the document's province only."""
        if inside.scope is None:
            return UnitAdmin(unit_kind="other", admin_reason="no level named, and no province to look it up in")
        levels = ("district", "commune") if "district" not in self.chain else ("commune", "district")
        found = self._resolve(Segment(levels, seg.word, seg.name, seg.written), inside)
        if found.place is None:
            return UnitAdmin(unit_kind="other", admin_reason=f"no level named, and {found.reason}",
                             scoped_unit_key=self._scoped(base, None, inside))
        return UnitAdmin(unit_kind=found.place.level, admin=self._admin(found.place, found.matched),
                         scoped_unit_key=self._scoped(base, found.place, inside))

    def _document_territory(self) -> _Found | None:
        """Where a village or an organisation with no territory in its name lies: in the reporting unit's."""
        for level in ("commune", "district", "province"):
            if level in self.chain:
                return _Found(self.chain[level])
        return None

    def _chain_from(self, reporting: UnitAdmin) -> None:
        """The reporting unit's territories, for the nameless levels of other units ("Công an huyện")."""
        place = reporting.admin or reporting.admin_within
        if place is None:
            return
        found = self.atlas.places.get((place.structure, place.level, _code_of(place)))
        while found is not None:
            self.chain.setdefault(found.level, found)
            parent = "district" if found.level == "commune" and found.district_code else "province"
            code = found.district_code if parent == "district" else found.province_code
            found = None if found.level == "province" else self.atlas.places.get((found.structure, parent, code))

    def _scoped(self, base: str, place: Place | None, inside: _Inside) -> str | None:
        scope = self._scope_of(place) if place is not None else inside.scope
        if scope is None:
            return None
        if place is not None and place.level == "province":
            return scope.key
        # "cong an tinh tay ninh" in Tây Ninh is "cong an tinh", as "Công an tỉnh" is there
        return f"{scope.key}/{base.removesuffix(' ' + scope.name) if base.endswith(' ' + scope.key) else base}"

    def _admin(self, place: Place | None, matched: str = "name") -> Admin | None:
        return _admin(place, matched, self.atlas) if place is not None else None


@functools.lru_cache(maxsize=4096)
def _scope(place: Place, found: Atlas) -> Scope:
    """The province a unit lies in, with its codes in both structures (a 2025 province: the legacy ones it
    was made of; a legacy one: the one it went into)."""
    province = found.places[(place.structure, "province", place.province_code)]
    codes = {(province.structure, province.code)}
    successor = found.successor(province)
    if successor is not None:
        codes.add(("2025", successor.province.code))
    else:
        codes |= {("legacy", p.code) for p in found.former_provinces(province)}
    return Scope(province.type, name_key(province.short), province, frozenset(codes))


def _short(place: Place) -> str:
    """A unit's name as the text names it after its level: "5" for "Phường 5", whose short name has its type."""
    words = place.short.split()
    size = len(place.type.split())
    return " ".join(words[size:]) if name_key(place.short).startswith(place.type + " ") else place.short


def _code_of(admin: Admin) -> str:
    return {"province": admin.province_code, "district": admin.district_code, "commune": admin.ward_code}[admin.level]


def _guess(seg: Segment) -> str:
    """The kind of a territory not found: its level word's ("thành phố": a district, the provinces being known)."""
    return seg.levels[-1] if seg.levels == ("province", "district") else seg.levels[0]


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(set(names)))


@functools.lru_cache(maxsize=16384)
def _admin(place: Place, matched: str, found: Atlas) -> Admin:
    """The output of an official unit (frozen, so one instance serves every document that names it)."""
    successor = found.successor(place)
    after = None
    if successor is not None:
        after = Successor2025(change=successor.change, province_code=successor.province.code,
                              province_name=successor.province.name,
                              ward_code=successor.ward.code if successor.ward else None,
                              ward_name=successor.ward.name if successor.ward else None,
                              wards=[AdminWard(code=w.code, name=w.name) for w in successor.wards])
    commune = place.level == "commune"
    return Admin(level=place.level, structure=place.structure, name=place.name, province_code=place.province_code,
                 province_name=place.province_name, district_code=place.district_code,
                 district_name=place.district_name, ward_code=place.code if commune else None,
                 ward_name=place.name if commune else None, latitude=place.latitude, longitude=place.longitude,
                 matched=matched, successor_2025=after)


@functools.lru_cache(maxsize=8)
def _province_regex(w: Words, found: Atlas) -> regex.Pattern:
    """A province's level and name on the folded text: "tinh thai binh", "tp. ho chi minh", "thanh pho ha noi"."""
    names = {key for (_, level, key) in found.by_name if level == "province"} | set(w.aliases)
    alternatives = sorted(names, key=len, reverse=True)
    name = "|".join(r"[\s\-–]+".join(regex.escape(t) for t in n.split()) for n in alternatives)
    level = "|".join(regex.escape(x) + (r"\s*" if x.endswith(".") else r"\s+") for x in w.province_words)
    return regex.compile(rf"(?<![\p{{L}}\d])(?:{level})(?P<name>{name})(?![\p{{L}}\d])")


@functools.lru_cache(maxsize=8)
def _bare_province_regex(w: Words, found: Atlas) -> regex.Pattern:
    """A province's bare name, capitalised, on the text without diacritics ("Thai Binh"), not the end or start
    of a longer capitalised name ("Thach Ha Nam" is a district)."""
    names = sorted({plain(p.short) for p in found.places.values() if p.level == "province"}, key=len, reverse=True)
    name = "|".join(r"[\s\-–]+".join(regex.escape(t) for t in SEPARATORS.split(n)) for n in names)
    return regex.compile(rf"(?<!\p{{Lu}}\p{{L}}*\s+)(?<![\p{{L}}\d])(?P<name>{name})(?![\p{{L}}\d])(?!\s+\p{{Lu}})")
