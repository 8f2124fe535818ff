"""Write the five CFD reference cases as project files (``cases/<name>.json``).

Run from the repository root: ``python tests/air_cfd/make_cases.py``. The halls are built with
:class:`designer.io.builder.HallBuilder` from the shipped catalog, so every file is an ordinary
project that ``python -m designer validate`` accepts. The same file goes to the air model and,
through ``build_case.py``, to OpenFOAM.

All items sit at rotations that are multiples of 90 degrees and on a 0.05 m raster, so that a
structured CFD grid can follow every face exactly. Loads differ from rack to rack on purpose:
the cases must tell a good model from one that only gets the room average right.
"""

from __future__ import annotations

import sys
from pathlib import Path

from designer.io.builder import HallBuilder
from designer.io.catalog_store import shipped_catalog
from designer.io.files import save
from designer.model import hall as h
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.project import Project, Settings, Site

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
RACK = "RK-AIR-15"  # 600 x 1200 x 2000 mm, front-to-back air, design rise 12 K


def _site(sid: str, name: str) -> tuple[Site, HallBuilder]:
    s = Site(id=sid, name=name, kind="enterprise", location=Located(lat=50.0, lon=8.6))
    return s, HallBuilder(s, Catalog(shipped_catalog()))


def _project(name: str, description: str, site: Site) -> Project:
    return Project(name=name, revision="A", author="Data Hall Designer air CFD reference",
                   description=description, settings=Settings(), sites=[site])


def _row(b: HallBuilder, x0: float, y: float, rot: float, loads: list[float]) -> list[h.Rack]:
    racks = b.rack_row(RACK, x0, y, len(loads), rot)
    for r, kw in zip(racks, loads, strict=True):
        r.it_load_kw = kw
    return racks


def _column(b: HallBuilder, x: float, y0: float, rot: float, loads: list[float]) -> list[h.Rack]:
    """A row of racks running along y (pitch 0.6 m), the first centre at (x, y0)."""
    racks = []
    for k, kw in enumerate(loads):
        r = b.place(RACK, x, y0 + 0.6 * k, rot)
        r.it_load_kw = kw
        racks.append(r)
    return racks


def _crah(b: HallBuilder, x: float, y: float, rot: float, airflow: float, discharge: str = "front",
          intake: str = "top") -> h.AirUnit:
    u = b.place("CRAH-150", x, y, rot)
    u.airflow_m3s = airflow  # EC fans turned down to about 1.2x the racks' airflow
    u.supply_temp_c = 22.0
    u.discharge = discharge
    u.intake = intake
    return u


def open_aisle_crah(failed: bool = False) -> Project:
    """Two rows of eight racks facing an open 1.2 m cold aisle on a slab floor, 11 x 7.2 x 3 m.

    Perimeter CRAHs on the west and east walls blow along the cold aisle (lower 2/3 of their
    front) and return through their tops. The west unit is 1.8 m from the row ends, the east
    unit 2.6 m. 144 kW of racks draw 9.95 m3/s; the two CRAHs supply 12.0 m3/s.
    """
    s, b = _site("oa", "Open-aisle CRAH room" + (" with the west CRAH failed" if failed else ""))
    b.outline(11.0, 7.2)
    s.hall.height_m = 3.0
    # south row faces north (+y), north row faces south; cold aisle y 3.0-4.2
    _row(b, 3.0, 2.4, 0.0, [10, 8, 8, 10, 12, 14, 12, 8])
    _row(b, 3.0, 4.8, 180.0, [6, 8, 8, 10, 10, 8, 6, 6])
    west = _crah(b, 0.45, 3.6, 270.0, 6.0)  # front faces +x
    _crah(b, 10.55, 3.6, 90.0, 6.0)  # front faces -x
    if failed:
        west.running = False
    return _project(
        "CFD case crah_failed" if failed else "CFD case open_aisle_crah",
        "Air CFD reference case: open hot and cold aisles, two perimeter CRAHs"
        + (", the west CRAH not running." if failed else "."), s)


def cold_aisle_raised_floor() -> Project:
    """Cold-aisle containment fed by perforated tiles from a 0.6 m raised floor, 11.4 x 6.6 x 3 m.

    Two rows of six racks around a contained 1.2 m cold aisle (roof at rack height, panels
    leaking 2 %) with twelve 25 % tiles, and an open row of four racks on the east side fed by
    four 40 % tiles. The open tiles take a large share of the plenum air, so the contained
    aisle runs slightly under-supplied and draws room air in through its panel leaks. Two
    CRAHs on the west wall discharge under the floor and return through their tops.
    """
    s, b = _site("caf", "Cold-aisle containment on a raised floor")
    b.outline(11.4, 6.6)
    s.hall.height_m = 3.0
    s.hall.raised_floor = h.RaisedFloor(height_m=0.6, leak_area_m2_per_m2=0.002)
    _row(b, 3.4, 1.8, 0.0, [8, 10, 12, 12, 10, 8])
    _row(b, 3.4, 4.2, 180.0, [6, 8, 10, 10, 12, 14])
    c = b.containment("cold", 3.1, 2.4, 6.7, 3.6)
    c.top = "roof"
    c.height_m = None
    c.leak_area_m2_per_m2 = 0.02
    tiles = s.hall.floor_tiles
    for i in range(6):
        for j, y in enumerate((2.7, 3.3)):
            tiles.append(h.FloorTile(id=f"caf.tile{2 * i + j + 1}", name=f"T{2 * i + j + 1:02d}",
                                     x=3.4 + 0.6 * i, y=y, open_fraction=0.25))
    # open row: faces west (-x), front at x 9.2, exhaust 1.0 m from the east wall
    for k, r in enumerate(_column(b, 9.8, 2.1, 90.0, [10, 12, 8, 6])):
        tiles.append(h.FloorTile(id=f"caf.tile{13 + k}", name=f"T{13 + k:02d}", x=8.9, y=r.y,
                                 open_fraction=0.4))
    _crah(b, 0.45, 1.65, 270.0, 6.5, discharge="underfloor")
    _crah(b, 0.45, 4.95, 270.0, 6.5, discharge="underfloor")
    return _project("CFD case cold_aisle_raised_floor",
                    "Air CFD reference case: cold-aisle containment fed by floor tiles, plus an open "
                    "row on grates that starves the contained aisle slightly.", s)


def hot_aisle_ceiling_return() -> Project:
    """Hot-aisle containment up to the ceiling, returning to a 0.8 m ceiling plenum, 11.4 x 7.2 x 3 m.

    Two rows of six racks back to back around a 1.2 m hot aisle closed by panels (1 % leak) to
    the ceiling, with twelve 50 % grilles above it. An uncontained row of four racks on the east
    side exhausts into the room, under two grilles. Two CRAHs on the west wall blow into the
    room (lower 2/3 of the front) and take their return through ducts from the plenum.
    """
    s, b = _site("hac", "Hot-aisle containment with a ceiling return")
    b.outline(11.4, 7.2)
    s.hall.height_m = 3.0
    s.hall.ceiling_plenum = h.CeilingPlenum(height_m=0.8, leak_area_m2_per_m2=0.002)
    _row(b, 3.4, 2.4, 180.0, [10, 12, 14, 12, 10, 8])  # faces south, exhaust at y 3.0
    _row(b, 3.4, 4.8, 0.0, [8, 10, 10, 12, 12, 14])  # faces north, exhaust at y 4.2
    c = b.containment("hot", 3.1, 3.0, 6.7, 4.2)
    c.top = "ceiling"
    c.leak_area_m2_per_m2 = 0.01
    grilles = s.hall.ceiling_grilles
    for i in range(6):
        for j, y in enumerate((3.3, 3.9)):
            grilles.append(h.CeilingGrille(id=f"hac.grille{2 * i + j + 1}", name=f"G{2 * i + j + 1:02d}",
                                           x=3.4 + 0.6 * i, y=y, open_fraction=0.5))
    _column(b, 9.8, 2.7, 90.0, [6, 8, 10, 8])  # faces west, exhaust 1.0 m from the east wall
    for k, y in enumerate((3.3, 3.9)):
        grilles.append(h.CeilingGrille(id=f"hac.grille{13 + k}", name=f"G{13 + k:02d}", x=10.9, y=y,
                                       open_fraction=0.5))
    _crah(b, 0.45, 1.4, 270.0, 6.5, intake="ceiling_plenum")
    _crah(b, 0.45, 5.8, 270.0, 6.5, intake="ceiling_plenum")
    return _project("CFD case hot_aisle_ceiling_return",
                    "Air CFD reference case: hot-aisle containment to a ceiling plenum with ducted CRAH "
                    "returns, plus an uncontained row exhausting into the room.", s)


def inrow_open_cold_aisle() -> Project:
    """In-row coolers in two rows around an open 1.2 m cold aisle, 10 x 7 x 3 m.

    South row: cooler, four racks, cooler, four racks, cooler. North row: two racks, cooler,
    four racks, cooler, two racks, so its ends are racks with no cooler near them (the west one
    a 10 kW rack). Coolers take hot-aisle air through their rear and blow it out of their whole
    front into the aisle, which is open above the 2 m racks: hot air spills over the rack tops
    and round the row ends. The coolers run at 2.15 m3/s (1.18x the racks) and keep their
    catalog capacity of 40 kW, which the busiest one stays well below, so every supply is at
    its set point. (A first version ran them at a scaled 36 kW: three coolers sat at their
    limit with the supply following the return, a weakly damped thermal mode that kept the
    room's time mean wandering by +-0.5 K; the capacity logic is simple algebra the model can
    check on its own.)
    """
    s, b = _site("irc", "In-row coolers around an open cold aisle")
    b.outline(10.0, 7.0)
    s.hall.height_m = 3.0
    south = [("u", 0), ("r", 6), ("r", 8), ("r", 10), ("r", 12), ("u", 0), ("r", 12), ("r", 10),
             ("r", 8), ("r", 6), ("u", 0)]
    north = [("r", 10), ("r", 8), ("u", 0), ("r", 6), ("r", 6), ("r", 8), ("r", 8), ("u", 0),
             ("r", 10), ("r", 4)]
    for seq, x0, y, rot in ((south, 2.0, 2.6, 0.0), (north, 2.15, 5.0, 180.0)):
        x = x0
        for kind, kw in seq:
            w = 0.3 if kind == "u" else 0.6
            if kind == "u":
                u = b.place("IRC-40", x + w / 2, y, rot)
                u.airflow_m3s = 2.15
                u.supply_temp_c = 22.0
            else:
                r = b.place(RACK, x + w / 2, y, rot)
                r.it_load_kw = kw
            x += w
    return _project("CFD case inrow_open_cold_aisle",
                    "Air CFD reference case: in-row coolers, open cold aisle, air over the rack tops.", s)


BUILDERS = {
    "open_aisle_crah": open_aisle_crah,
    "cold_aisle_raised_floor": cold_aisle_raised_floor,
    "hot_aisle_ceiling_return": hot_aisle_ceiling_return,
    "inrow_open_cold_aisle": inrow_open_cold_aisle,
    "crah_failed": lambda: open_aisle_crah(failed=True),
}


def _snap(p: Project) -> Project:
    """Round coordinates to 1e-6 m so that float noise from the builder does not reach the files."""
    for s in p.sites:
        for coll in (s.hall.racks, s.hall.air_units, s.hall.floor_tiles, s.hall.ceiling_grilles):
            for it in coll:
                it.x, it.y = round(it.x, 6), round(it.y, 6)
    return p


def main(argv: list[str] | None = None) -> int:
    CASES.mkdir(exist_ok=True)
    names = (argv or sys.argv[1:]) or list(BUILDERS)
    for name in names:
        save(_snap(BUILDERS[name]()), CASES / f"{name}.json")
        print(f"wrote {CASES / (name + '.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
