"""Pictures of a panel (``xeploai panel``): shares of the rating levels by year, a time series per unit,
and a map of one province's units. Drawn by matplotlib offline (no tiles, no network), as PNG files.

- ``shares.png``: for one unit (by default the one with the most years of counts), a stacked bar per
  year and subject of the share of each level (from the stated counts of that year: HTXSNV, HTTNV, HTNV,
  KHTNV, or TSVM … YEU_KEM of the older scheme), with N, the counts' sum, over each bar;
- ``series.png``: the stated percent of one subject and level (by default the TCCSĐ that hoàn thành xuất
  sắc nhiệm vụ) by year, a line per unit that states it in two years at least, across every document;
- ``map.png``: the units of one province at their coordinates (``admin`` of the figures, from the
  official units), coloured by the same percent; drawn only when the panel holds coordinates.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, require_for

# Rating levels from the best, each with a colour that sets it apart from its neighbours.
LEVELS = {"TSVM": "#1565c0", "HTXSNV": "#1b5e20", "HTTNV": "#8bc34a", "HTNV": "#ffb300", "KHTNV": "#c62828",
          "YEU_KEM": "#6a1b9a"}
# The levels that divide the rated among them, by scheme: since 2018 (and for members throughout), and
# the organisations' of 2008-2017. Sub-groups (TSVM tiêu biểu, HTNV còn hạn chế) are inside a level.
SCHEMES = (("HTXSNV", "HTTNV", "HTNV", "KHTNV"), ("TSVM", "HTTNV", "HTNV", "YEU_KEM"))
SUBJECTS = ("TCCSD", "CHI_BO", "DANG_VIEN", "TAP_THE", "CAN_BO", "DANG_BO_CAP_TREN")
SIZE = (10.0, 6.0)  # inches, at DPI: 1500 × 900 pixels
DPI = 150
_MAX_SERIES = 12  # units drawn in the time series: those with the most years


@dataclass(frozen=True)
class Row:
    unit_key: str
    unit: str
    year: int
    subject: str
    category: str
    count: int | None
    total: int | None
    percent: float | None
    province: str | None = None  # the province's official name, when the unit is linked to an official unit
    latitude: float | None = None
    longitude: float | None = None


def read_panel(path: str | Path) -> list[Row]:
    """The yearly rows of a panel written by ``xeploai panel`` (.duckdb, .parquet or .csv)."""
    duckdb = require_for("duckdb", "export", path)
    p = Path(path)
    source = {".duckdb": None, ".parquet": "read_parquet(?)", ".csv": "read_csv(?, header = true)"}
    if p.suffix.lower() not in source:
        raise InputError(str(p), "not a panel: give the .duckdb, .parquet or .csv file 'xeploai panel' wrote")
    if not p.is_file():
        raise InputError(str(p), "not found")
    query = ('SELECT unit_key, unit, "year", subject, category, "count", total, percent, province_name, latitude, '
             'longitude FROM {} '
             'WHERE "year" IS NOT NULL AND unit_key IS NOT NULL')
    try:
        if source[p.suffix.lower()] is None:
            with duckdb.connect(str(p), read_only=True) as connection:
                rows = connection.execute(query.format("panel")).fetchall()
        else:
            rows = duckdb.execute(query.format(source[p.suffix.lower()]), [str(p)]).fetchall()
    except duckdb.Error as exc:
        raise InputError(str(p), f"not a panel of xeploai ({str(exc).splitlines()[0]})") from None
    return [Row(k, u, int(y), s, c, _int(n), _int(t), _float(v), p, _float(lat), _float(lon))
            for k, u, y, s, c, n, t, v, p, lat, lon in rows]


def _float(value) -> float | None:
    return None if value is None else float(value)


def _int(value) -> int | None:
    return None if value is None else int(value)


def _pyplot():
    matplotlib = require_for("matplotlib", "plot", "xeploai plot")
    matplotlib.use("Agg")  # files only: no screen
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 9, "svg.hashsalt": "xeploai"})
    return plt


def busiest_unit(rows: list[Row]) -> str | None:
    """The unit with counts of rating levels in the most years (the first by key on a tie)."""
    years = defaultdict(set)
    for r in rows:
        if r.category in LEVELS and r.count is not None:
            years[r.unit_key].add(r.year)
    return min(years, key=lambda k: (-len(years[k]), k)) if years else None


NOT_STATED = "not stated"  # the rated whose level the documents do not give
NOT_STATED_COLOUR = "#d9d9d9"


def shares(rows: list[Row], unit_key: str) -> dict[str, dict[int, dict[str, int]]]:
    """subject → year → level → stated count, of one unit: the levels of the year's scheme (the newer one
    unless only the older's own levels, TSVM or YEU_KEM, are stated), and under ``NOT_STATED`` the rated
    the levels leave out: of the number rated (DA_DANH_GIA), else of a total stated with a level ("53/78")."""
    stated, rated = _stated(rows, unit_key)
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for subject, years in stated.items():
        for year, counts in years.items():
            levels = {level: counts[level] for level in _scheme(counts) if level in counts}
            rest = rated.get((subject, year), 0) - sum(levels.values())
            out[subject][year] = levels | ({NOT_STATED: rest} if rest > 0 else {})
    return out


def _stated(rows: list[Row], unit_key: str):
    """The stated counts of each level by subject and year, and the number rated by (subject, year)."""
    stated: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rated: dict[tuple[str, int], int] = {}
    for r in (r for r in rows if r.unit_key == unit_key):
        if r.category in LEVELS and r.count is not None:
            stated[r.subject][r.year][r.category] = r.count
        if r.category == "DA_DANH_GIA" and r.count is not None:
            rated[(r.subject, r.year)] = r.count
        elif r.category in LEVELS and r.total is not None:
            rated.setdefault((r.subject, r.year), r.total)
    return stated, rated


def _scheme(counts: dict[str, int]) -> tuple[str, ...]:
    newer, older = (set(scheme) - set(SCHEMES[1 - i]) for i, scheme in enumerate(SCHEMES))
    return SCHEMES[1] if counts.keys() & older and not counts.keys() & newer else SCHEMES[0]


def draw_shares(rows: list[Row], target: Path, unit_key: str | None = None) -> Path:
    plt = _pyplot()
    unit_key = unit_key or busiest_unit(rows)
    data = shares(rows, unit_key) if unit_key else {}
    subjects = [s for s in SUBJECTS if s in data]
    if not subjects:
        raise InputError(str(target), "the panel holds no yearly counts of rating levels to draw")
    figure, axes = plt.subplots(1, len(subjects), figsize=SIZE, squeeze=False, sharey=True)
    for ax, subject in zip(axes[0], subjects):
        _stacked(ax, data[subject], subject)
    axes[0][0].set_ylabel("share of the rated (%)")
    names = {r.unit_key: r.unit for r in rows}
    figure.suptitle(f"{names.get(unit_key, unit_key)}: rating levels by year")
    used = [(level, colour) for level, colour in (*LEVELS.items(), (NOT_STATED, NOT_STATED_COLOUR))
            if any(level in counts for s in subjects for counts in data[s].values())]
    figure.legend([plt.Rectangle((0, 0), 1, 1, color=colour) for _, colour in used], [level for level, _ in used],
                  loc="lower center", ncol=len(used), frameon=False)
    figure.tight_layout(rect=(0, 0.07, 1, 0.95))
    return _save(figure, plt, target)


def _stacked(ax, by_year: dict[int, dict[str, int]], subject: str) -> None:
    years = sorted(by_year)
    bottoms = [0.0] * len(years)
    totals = [sum(by_year[y].values()) for y in years]
    for level, colour in (*LEVELS.items(), (NOT_STATED, NOT_STATED_COLOUR)):
        heights = [100.0 * by_year[y].get(level, 0) / t if t else 0.0 for y, t in zip(years, totals)]
        if any(heights):
            ax.bar(years, heights, bottom=bottoms, color=colour, width=0.7)
            bottoms = [b + h for b, h in zip(bottoms, heights)]
    for year, total, top in zip(years, totals, bottoms):
        ax.text(year, top + 1, f"N={total}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 6 else 0)
    pad = 1.5 if len(years) < 4 else 0.6  # a bar or two keeps the width of a bar among several
    ax.set_xlim(min(years) - pad, max(years) + pad)
    ax.set_ylim(0, 110)
    ax.set_title(subject)


def series(rows: list[Row], subject: str, category: str) -> dict[str, dict[int, float]]:
    """unit key → year → stated percent of one subject and level, for units that state it in two years."""
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for r in rows:
        if r.subject == subject and r.category == category and r.percent is not None:
            out[r.unit_key][r.year] = r.percent
    return {k: v for k, v in out.items() if len(v) >= 2}


def draw_series(rows: list[Row], target: Path, subject: str, category: str) -> Path:
    plt = _pyplot()
    lines = series(rows, subject, category)
    if not lines:
        raise InputError(str(target), f"no unit states a percent of {subject} {category} in two years or more")
    names = {r.unit_key: r.unit for r in rows}
    figure, ax = plt.subplots(figsize=SIZE)
    chosen = sorted(lines, key=lambda k: (-len(lines[k]), k))[:_MAX_SERIES]
    for key in sorted(chosen):
        years = sorted(lines[key])
        ax.plot(years, [lines[key][y] for y in years], marker="o", label=names.get(key, key))
    years = sorted({y for k in chosen for y in lines[k]})
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(f"{subject} {category} (%)")
    ax.set_title(f"{subject} {category} by year, one line per unit (stated percents)")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=7)
    figure.tight_layout()
    return _save(figure, plt, target)


def placed(rows: list[Row], subject: str, category: str, province: str | None = None):
    """(province, [(unit, longitude, latitude, percent, year)]): each unit of one province with coordinates and
    its latest stated percent of the subject and level; by default the province with the most such units."""
    latest: dict[str, Row] = {}
    for r in rows:
        if (r.subject, r.category) == (subject, category) and r.percent is not None and r.latitude is not None:
            if r.unit_key not in latest or r.year > latest[r.unit_key].year:
                latest[r.unit_key] = r
    by_province = defaultdict(list)
    for r in latest.values():
        by_province[r.province].append((r.unit, r.longitude, r.latitude, r.percent, r.year))
    if province is None and by_province:
        province = min(by_province, key=lambda p: (-len(by_province[p]), p or ""))
    return province, sorted(by_province.get(province, []))


def draw_map(rows: list[Row], target: Path, subject: str, category: str, province: str | None = None) -> Path:
    plt = _pyplot()
    province, units = placed(rows, subject, category, province)
    if not units:
        raise InputError(str(target), f"no unit with coordinates states a percent of {subject} {category}"
                                      + (f" in {province}" if province else ""))
    figure, ax = plt.subplots(figsize=SIZE)
    lons, lats, shares_ = [u[1] for u in units], [u[2] for u in units], [u[3] for u in units]
    points = ax.scatter(lons, lats, c=shares_, cmap="viridis", s=120, edgecolors="black", linewidths=0.5)
    for unit, lon, lat, percent, year in units:
        ax.annotate(f"{unit} ({percent:g}%, {year})", (lon, lat), xytext=(6, 4), textcoords="offset points", fontsize=7)
    middle = sum(lats) / len(lats)
    ax.set_aspect(1 / max(0.2, math.cos(math.radians(middle))))  # a degree of longitude as long as on the ground
    ax.margins(0.25)
    ax.ticklabel_format(useOffset=False)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    figure.colorbar(points, ax=ax, label=f"{subject} {category} (%), latest year stated")
    ax.set_title(f"{province}: {subject} {category} by unit (points at the official units' coordinates)")
    figure.tight_layout()
    return _save(figure, plt, target)


def _save(figure, plt, target: Path) -> Path:
    """The picture written whole or not at all, with no date in it (the same panel gives the same bytes)."""
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        figure.savefig(temporary, format="png", metadata={"Software": None})
        temporary.replace(target)
    finally:
        plt.close(figure)
        temporary.unlink(missing_ok=True)
    return target


def plot(panel: str | Path, folder: str | Path, *, unit_key: str | None = None, subject: str = "TCCSD",
         category: str = "HTXSNV", province: str | None = None) -> tuple[list[Path], list[InputError]]:
    """The pictures of a panel in ``folder``: shares.png, series.png and map.png (see the module's docstring);
    each that the panel holds nothing for is not drawn, with the reason."""
    rows = read_panel(panel)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pictures = (lambda: draw_shares(rows, out / "shares.png", unit_key),
                lambda: draw_series(rows, out / "series.png", subject, category),
                lambda: draw_map(rows, out / "map.png", subject, category, province))
    written, missing = [], []
    for draw in pictures:
        try:
            written.append(draw())
        except InputError as exc:
            missing.append(exc)
    return written, missing


def add_parser(sub, common) -> None:
    """``xeploai plot``, for the command line's parser."""
    p = sub.add_parser("plot", parents=[common], help="draw a panel: shares by year, a series per unit (PNG)",
                       description="Draw the panel that 'xeploai panel' wrote (.duckdb, .parquet or .csv) as PNG "
                                   "pictures in DIR, offline: shares.png, the share of each rating level by year "
                                   "and subject for one unit, with N over each bar; series.png, the stated percent "
                                   "of one subject and level by year, a line per unit across every document; "
                                   "map.png, the units of one province at their official coordinates, coloured by "
                                   "that percent.")
    p.add_argument("panel", metavar="PANEL", help="the panel file")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="the folder the pictures go to")
    p.add_argument("--unit", metavar="KEY", help="the unit_key of shares.png (default: the unit with the most years)")
    p.add_argument("--subject", default="TCCSD", choices=SUBJECTS, help="the subject of series.png (default TCCSD)")
    p.add_argument("--category", default="HTXSNV", choices=list(LEVELS), help="its level (default HTXSNV)")
    p.add_argument("--province", metavar="NAME", help="the province of map.png, by its official name ('Tỉnh Điện "
                                                      "Biên'; default: the one with the most units to show)")
    p.set_defaults(func=command)


def command(args) -> int:
    """Run ``xeploai plot``: exit 1 when a picture could not be drawn (each named with the reason)."""
    written, missing = plot(args.panel, args.out, unit_key=args.unit, subject=args.subject, category=args.category,
                            province=args.province)
    for problem in missing:
        print(f"xeploai plot: not drawn: {problem}", file=sys.stderr)
    if written and getattr(args, "quiet", 0) == 0:
        print("xeploai: wrote " + ", ".join(str(p) for p in written), file=sys.stderr)
    return 1 if missing else 0
