"""Hall contents: modules, racks, air and liquid cooling, obstructions, containment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from designer.model.base import DModel, Id, Member, Placed, Point, to_plan
from designer.model.power import PowerChain

CoolingType = Literal["air", "hybrid", "liquid", "rear_door", "immersion", "none"]
Fluid = Literal["water", "pg25", "pg40"]
PortName = Literal["supply", "return", "node", "facility_supply", "facility_return"]
"""Pipe ends: a rack's or CDU's secondary ``supply`` / ``return``, a CDU's primary
``facility_supply`` / ``facility_return``, a water supply's ``supply`` / ``return``, or a
junction's ``node``."""


class Obstruction(DModel):
    """A column, wall stub or other fixed obstacle, as a polygon on the plan."""

    id: Id
    name: str = ""
    kind: Literal["column", "wall", "other"] = "column"
    polygon: list[Point]


class Containment(Member):
    """A contained aisle: the polygon is the enclosed aisle; its boundary blocks air
    except through the faces of the racks that line it.

    ``top`` says how it is closed above: ``"roof"`` is a panel roof at ``height_m`` (the
    usual cold-aisle containment over the rack tops), ``"ceiling"`` runs the panels up to the
    ceiling, so the aisle is open only to ceiling grilles inside it (the usual hot-aisle
    containment with a ceiling return). Panels and doors leak through gaps: ``leak_area_m2_per_m2``
    is the open area per m2 of panel (a property of the product, not of any grid).
    """

    id: Id
    name: str = ""
    kind: Literal["hot", "cold"] = "hot"
    polygon: list[Point]
    top: Literal["roof", "ceiling"] = "roof"
    height_m: float | None = None
    """Height of the roof panels above the floor; None is the height of the racks that line it."""
    leak_area_m2_per_m2: float = 0.01
    """Open leakage area per m2 of containment panel and door (1 % for well-sealed products,
    3-5 % for doors with gaps and no brush strips)."""


ConnectionKind = Literal["power_in", "power_out", "water_supply", "water_return", "loop_supply", "loop_return"]
"""``power_in`` / ``power_out``: electrical input and output; ``water_supply`` / ``water_return``:
facility water to the CDUs' primary side; ``loop_supply`` / ``loop_return``: a CDU's secondary
(technology cooling) loop offered to racks outside the module (a CDU skid)."""


class ModuleConnection(DModel):
    """A connection point of a module: where the site's services join the assembly.

    ``x``, ``y`` are in the module's own frame (metres from its centre, front = +y at
    rotation 0). ``item_ids`` name the members that take the connection: for ``power_in``
    the items whose ``upstream_id`` the site's supply sets; for ``power_out`` the item that
    feeds out (a power skid's UPS or switchboard); for water the CDUs whose primary side it
    serves; for a loop output the CDU whose secondary ports it offers.
    """

    id: Id
    name: str = ""
    kind: ConnectionKind
    side: str = ""
    """The redundant path it belongs to ("A", "B"), for power."""
    x: float = 0.0
    y: float = 0.0
    item_ids: list[Id] = Field(default_factory=list)


class Module(Placed):
    """A pre-engineered module (room module, container, skid) placed in the hall.

    A module is an assembly: the items whose ``module_id`` names it are its contents and
    move, turn, copy and go with it (see :mod:`designer.document.assembly`).
    """

    width_m: float = 6.0
    depth_m: float = 12.0
    height_m: float = 3.0
    weight_kg: float = 0.0
    form_factor: str = "room"
    it_capacity_kw: float = 0.0
    cooling: CoolingType = "air"
    cooling_capacity_kw: float = 0.0
    rack_positions: int = 0
    redundancy: str = ""
    """The module's power redundancy scheme as built ("2N", "N+1", ...)."""
    connections: list[ModuleConnection] = Field(default_factory=list)

    def connection_position(self, conn: ModuleConnection) -> Point:
        """Plan position of one of its connection points."""
        return to_plan(conn.x, conn.y, self)


class Feed(DModel):
    """One power cord of a rack: where it is fed from and on which phase(s).

    ``source_id`` names a PDU / RPP or a busway tap. ``phase`` is ``"3P"`` for a
    three-phase cord or one line ("L1", "L2", "L3") for a single-phase cord.
    ``cable_length_m`` of ``None`` means: route it on the plan.
    """

    source_id: Id
    phase: Literal["3P", "L1", "L2", "L3"] = "3P"
    breaker_a: float = 32.0
    cable_length_m: float | None = None


class Rack(Placed):
    """An IT rack. Liquid heat goes to its CDU loop, the rest to the room air."""

    width_m: float = 0.6
    depth_m: float = 1.2
    height_u: int = 42
    module_id: Id | None = None
    height_m: float | None = None
    """Outside height; None is ``height_u`` x 44.45 mm plus 0.1 m for plinth and roof
    (see :meth:`outer_height_m`)."""
    recirculation_fraction: float = 0.0
    """Share of the servers' airflow drawn back from the rack's own exhaust inside the rack
    (missing blanking panels, open U spaces); 0 with every gap blanked."""
    bypass_fraction: float = 0.0
    """Share of the air entering the front that passes the rack without picking up heat
    (gaps beside the mounting rails)."""
    weight_kg: float = 1000.0
    it_load_kw: float = 10.0
    accelerators: int = 0
    """Accelerators (GPUs) installed; the racks of a module give its accelerator capacity
    for placement (when none of them declares any, accelerators do not limit it)."""
    power_factor: float = 0.95
    liquid_fraction: float = 0.0
    design_delta_t_air_k: float = 12.0
    design_delta_t_liquid_k: float = 10.0
    max_supply_temp_c: float = 40.0
    cold_plate_dp_kpa: float = 0.0
    cold_plate_rated_flow_lpm: float = 0.0
    valve_k: float | None = None
    """Loss coefficient K of the rack's balancing valve in velocity heads of the bore of the
    pipe on its supply port (dp = K rho v^2 / 2); None or 0 is fully open."""
    feed_a: Feed | None = None
    feed_b: Feed | None = None
    feed_split_a: float = 0.5
    clearance_front_m: float = 1.2
    clearance_rear_m: float = 0.9

    def port_position(self, port: PortName) -> Point:
        """Liquid port on the rear face: supply left of centre, return right."""
        off = -self.width_m / 4 if port == "supply" else self.width_m / 4
        return to_plan(off, -self.depth_m / 2, self)

    def outer_height_m(self) -> float:
        """Outside height in metres: ``height_m`` when given, else from ``height_u``."""
        if self.height_m is not None:
            return self.height_m
        return self.height_u * 0.04445 + 0.1


class AirUnit(Member, Placed):
    """A cooling unit on the air side: perimeter CRAH, in-row cooler or rear door.

    Where air leaves and enters is explicit, nothing is implied: ``discharge`` is
    ``"front"`` (horizontal, through the lower front face), ``"underfloor"`` (down into the
    raised-floor plenum: the hall must have one) or ``"top"`` (upflow); ``intake`` is
    ``"top"``, ``"rear"``, ``"front"`` or ``"ceiling_plenum"`` (a ducted return from the ceiling
    plenum: the hall must have one). The unit holds ``supply_temp_c`` while its load is within
    ``capacity_kw``; beyond it the supply rises until the load equals the capacity. A unit that
    is not ``running`` moves no air and removes no heat.
    """

    kind: Literal["crah", "inrow", "rear_door"] = "crah"
    width_m: float = 2.5
    depth_m: float = 0.9
    height_m: float = 2.0
    capacity_kw: float = 100.0
    airflow_m3s: float = 8.0
    supply_temp_c: float = 20.0
    discharge: Literal["front", "underfloor", "top"] = "front"
    intake: Literal["top", "rear", "front", "ceiling_plenum"] = "top"
    running: bool = True
    rack_id: Id | None = None
    """For a rear-door heat exchanger: the rack it is mounted on."""


class Pump(DModel):
    """Pumps of a CDU: identical units in parallel with a curve from catalog points."""

    curve: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.0, 300.0), (600.0, 250.0), (1000.0, 160.0)]
    )
    """Points (flow L/min, head kPa) of one pump at full speed."""
    count: int = 2
    redundant: int = 1
    """How many of ``count`` are standby (N+1 -> 1)."""
    speed_fraction: float = 1.0


class Cdu(Member, Placed):
    """A coolant distribution unit: pumps, heat exchanger to facility water.

    Its primary side is served by the water supply ``facility_id`` (ports
    ``facility_supply`` / ``facility_return``); its secondary loop leaves from ``supply`` and
    comes back to ``return``.
    """

    width_m: float = 0.6
    depth_m: float = 1.2
    capacity_kw: float = 1000.0
    approach_k: float = 3.0
    """Secondary supply minus facility supply at rated load."""
    facility_supply_temp_c: float | None = None
    """Facility water supply; None takes the site's."""
    hx_dp_kpa: float = 40.0
    rated_flow_lpm: float = 1500.0
    fluid: Fluid = "pg25"
    pump: Pump = Field(default_factory=Pump)
    heat_to_air_kw: float = 0.0
    """Losses released into the hall's air (pump motors, controls); the air model adds them
    around the cabinet."""
    facility_id: Id | None = None
    """The facility water supply (chiller, dry cooler, ...) its heat exchanger rejects to."""

    def port_position(self, port: PortName) -> Point:
        """Secondary ports on the rear face (supply left, return right); primary ports on
        the top near the front (facility supply left, return right)."""
        if port in ("facility_supply", "facility_return"):
            off = -self.width_m / 4 if port == "facility_supply" else self.width_m / 4
            return to_plan(off, self.depth_m / 4, self)
        off = -self.width_m / 4 if port == "supply" else self.width_m / 4
        return to_plan(off, -self.depth_m / 2, self)


class WaterSupply(Placed):
    """Facility water / heat rejection serving CDUs' primary sides: a chiller plant, dry
    cooler, cooling tower or district connection. Usually outside the hall."""

    kind: Literal["chiller", "dry_cooler", "cooling_tower", "district"] = "chiller"
    width_m: float = 2.4
    depth_m: float = 1.2
    supply_temp_c: float = 32.0
    capacity_kw: float = 2000.0
    design_delta_t_k: float = 6.0
    """Facility water temperature rise at design load (sizes its pipes)."""

    def port_position(self, port: PortName) -> Point:
        off = -self.width_m / 4 if port == "supply" else self.width_m / 4
        return to_plan(off, self.depth_m / 2, self)


class Junction(Member):
    """A node of a pipe network (a tee, a manifold take-off)."""

    id: Id
    name: str = ""
    x: float = 0.0
    y: float = 0.0


class PortRef(DModel):
    """One end of a pipe: a rack or CDU port, or a junction (port ``node``)."""

    item_id: Id
    port: PortName = "node"


class Pipe(Member):
    """A pipe run between two ports, along the drawn vertices.

    ``role`` says which way the loop flows in it: secondary ``supply`` (CDU to racks) and
    ``return``; ``facility_supply`` / ``facility_return`` on the primary side between a
    water supply and a CDU. Flows are reported in the loop's direction, whichever way the
    pipe was drawn.
    """

    id: Id
    name: str = ""
    start: PortRef
    end: PortRef
    points: list[Point] = Field(default_factory=list)
    """Intermediate vertices in metres; ends come from the ports."""
    role: Literal["supply", "return", "facility_supply", "facility_return"] = "supply"
    diameter_m: float = 0.05
    roughness_m: float = 1.5e-6
    minor_k: float = 1.0
    extra_length_m: float = 0.0
    """Length not seen on the plan (risers, drops into racks)."""


class FloorTile(Member, Placed):
    """A perforated or grate tile in the raised floor: air from the underfloor plenum
    enters the room through its open area (the hall must have a raised floor)."""

    width_m: float = 0.6
    depth_m: float = 0.6
    open_fraction: float = 0.25
    """Free area over tile area (0.25 for a perforated tile, 0.5-0.6 for a grate)."""


class CeilingGrille(Member, Placed):
    """A return grille in a suspended ceiling: room air leaves through it into the ceiling
    plenum (the hall must have a ceiling plenum)."""

    width_m: float = 0.6
    depth_m: float = 0.6
    open_fraction: float = 0.5


class RaisedFloor(DModel):
    """An underfloor supply plenum: air enters it from units that discharge ``underfloor``
    and leaves through floor tiles (and the leakage of the floor itself)."""

    height_m: float = 0.6
    """Clear plenum depth under the tiles."""
    leak_area_m2_per_m2: float = 0.002
    """Open area per m2 of solid floor through cable cut-outs and tile seams."""


class CeilingPlenum(DModel):
    """A return plenum above a suspended ceiling at the hall's ``height_m``: air enters it
    through ceiling grilles and leaves through units with a ``ceiling_plenum`` intake."""

    height_m: float = 0.8
    leak_area_m2_per_m2: float = 0.002


class BackgroundPath(DModel):
    """One line, polyline or curve (flattened) of a background drawing, in plan metres."""

    layer: str = "0"
    points: list[Point]
    closed: bool = False


class Background(DModel):
    """An imported drawing (an architect's DXF) shown under the hall, locked: it is never
    selected or moved with the design. Its paths are already in plan metres; what they
    were made from (file, units, scale, origin, layers) is kept to say so and to redo it."""

    source: str = ""
    units: str = "m"
    """Length unit of the drawing (mm, cm, m, in, ft)."""
    scale: float = 1.0
    """Drawing length x ``scale`` = real length (1 for a drawing at full size)."""
    origin: Point = (0.0, 0.0)
    """The drawing point (in drawing units) placed at the plan's (0, 0)."""
    layers: list[str] = Field(default_factory=list)
    locked: bool = True
    visible: bool = True
    paths: list[BackgroundPath] = Field(default_factory=list)


class Dimension(DModel):
    """A dimension on the plan: the distance from ``start`` to ``end``, drawn as a dimension
    line ``offset_m`` to the left of the direction start -> end (negative: to the right), with
    extension lines back to the measured points. ``text`` replaces the measured length when
    set (a note such as "min. 1.2 m"); the length is always the true distance."""

    id: Id
    name: str = ""
    start: Point
    end: Point
    offset_m: float = 0.6
    text: str = ""

    @property
    def length_m(self) -> float:
        return ((self.end[0] - self.start[0]) ** 2 + (self.end[1] - self.start[1]) ** 2) ** 0.5

    def line(self) -> tuple[Point, Point]:
        """The dimension line's ends: the measured points moved by the offset."""
        (x0, y0), (x1, y1) = self.start, self.end
        L = self.length_m or 1.0
        nx, ny = -(y1 - y0) / L, (x1 - x0) / L  # left of start -> end
        o = self.offset_m
        return (x0 + nx * o, y0 + ny * o), (x1 + nx * o, y1 + ny * o)


class GridSettings(DModel):
    snap_m: float = 0.1
    visible: bool = True


class Hall(DModel):
    """A hall on a site: its outline and everything placed in it."""

    outline: list[Point] = Field(
        default_factory=lambda: [(0.0, 0.0), (20.0, 0.0), (20.0, 12.0), (0.0, 12.0)]
    )
    height_m: float = 4.0
    """Clear height of the room from the (raised) floor to the (suspended) ceiling."""
    raised_floor: RaisedFloor | None = None
    ceiling_plenum: CeilingPlenum | None = None
    floor_rating_kg_m2: float = 1200.0
    grid: GridSettings = Field(default_factory=GridSettings)
    obstructions: list[Obstruction] = Field(default_factory=list)
    containments: list[Containment] = Field(default_factory=list)
    floor_tiles: list[FloorTile] = Field(default_factory=list)
    ceiling_grilles: list[CeilingGrille] = Field(default_factory=list)
    modules: list[Module] = Field(default_factory=list)
    racks: list[Rack] = Field(default_factory=list)
    air_units: list[AirUnit] = Field(default_factory=list)
    cdus: list[Cdu] = Field(default_factory=list)
    water_supplies: list[WaterSupply] = Field(default_factory=list)
    junctions: list[Junction] = Field(default_factory=list)
    pipes: list[Pipe] = Field(default_factory=list)
    power: PowerChain = Field(default_factory=PowerChain)
    background: Background | None = None
    """An imported drawing under the hall (see :mod:`designer.io.dxf_import`)."""
    dimensions: list[Dimension] = Field(default_factory=list)
    """Dimension annotations drawn on the plan (and in the report and the DXF)."""
