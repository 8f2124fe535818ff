"""A hydraulic network as plain arrays, and a small builder for it.

Units are SI throughout: lengths in m, flows in m3/s, heads in m of the loop's fluid.
A link runs from ``start`` to ``end``; a positive flow goes that way.

Link kinds
----------
``PIPE``
    Darcy-Weisbach friction over ``length``/``diameter`` with ``roughness`` plus a minor
    loss ``minor_k`` (velocity heads), at kinematic viscosity ``viscosity``.
``RESISTANCE``
    A pure quadratic loss ``h = resistance * q * |q|`` (cold plates, heat exchangers,
    balancing valves: anything rated as a pressure drop at a flow).
``PUMP``
    ``pump_count`` identical pumps in parallel at relative speed ``pump_speed``; one pump
    at full speed follows ``h = pump_h0 - pump_r * q**pump_n`` (EPANET's power curve).
    By the affinity laws the set gives ``h = s^2 h0 - r s^(2-n) (q/N)^n``. A pump never
    runs backwards (it has a check valve); with no pump running the link is closed.

Nodes have a fixed head (reservoirs; in a closed loop the expansion tank at a CDU's
suction) or are free with a ``demand`` (flow leaving the network there, usually zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

PIPE, RESISTANCE, PUMP = 0, 1, 2
KIND_NAMES = {PIPE: "pipe", RESISTANCE: "resistance", PUMP: "pump"}


@dataclass
class Network:
    """Arrays describing one hydraulic network (possibly several independent loops)."""

    n_nodes: int
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    fixed_head: np.ndarray
    """Head of fixed-head nodes in m; NaN for free nodes."""
    demand: np.ndarray
    length: np.ndarray
    diameter: np.ndarray
    roughness: np.ndarray
    minor_k: np.ndarray
    viscosity: np.ndarray
    """Kinematic viscosity per link in m2/s (used by pipes)."""
    resistance: np.ndarray
    pump_h0: np.ndarray
    pump_r: np.ndarray
    pump_n: np.ndarray
    pump_count: np.ndarray
    pump_speed: np.ndarray
    closed: np.ndarray
    node_names: list[str] = field(default_factory=list)
    link_names: list[str] = field(default_factory=list)

    @property
    def n_links(self) -> int:
        return int(self.start.size)

    @property
    def fixed(self) -> np.ndarray:
        return ~np.isnan(self.fixed_head)

    def area(self) -> np.ndarray:
        """Flow area per link in m2 (zero where no diameter is given)."""
        return np.pi * self.diameter ** 2 / 4.0

    def structure_key(self) -> tuple:
        """What the sparse structure of the GGA system depends on (for caching)."""
        return (self.n_nodes, self.start.tobytes(), self.end.tobytes(), self.fixed.tobytes())

    def copy(self, **changes) -> Network:
        """A copy with fresh arrays (so the copy can be changed without touching this one)."""
        arrays = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}
        arrays.update(changes)
        return replace(self, **arrays)


class NetworkBuilder:
    """Collects named nodes and links, then makes a :class:`Network`.

    Used by the hall builder and by tests and peer comparisons that write networks
    by hand.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, int] = {}
        self._fixed: list[float] = []
        self._demand: list[float] = []
        self._links: list[dict] = []
        self._link_names: list[str] = []

    def node(self, name: str, fixed_head: float | None = None, demand: float = 0.0) -> int:
        """Add (or update) a node; returns its index."""
        if name in self._nodes:
            i = self._nodes[name]
            if fixed_head is not None:
                self._fixed[i] = fixed_head
            self._demand[i] += demand
            return i
        self._nodes[name] = len(self._fixed)
        self._fixed.append(np.nan if fixed_head is None else fixed_head)
        self._demand.append(demand)
        return self._nodes[name]

    def index(self, name: str) -> int:
        return self._nodes[name]

    def _link(self, name: str, a: str, b: str, kind: int, **values) -> int:
        self._links.append(dict(start=self.node(a), end=self.node(b), kind=kind, **values))
        self._link_names.append(name)
        return len(self._links) - 1

    def pipe(self, name: str, a: str, b: str, length: float, diameter: float, roughness: float = 1.5e-6,
             minor_k: float = 0.0, viscosity: float = 1.0e-6) -> int:
        return self._link(name, a, b, PIPE, length=length, diameter=diameter, roughness=roughness,
                          minor_k=minor_k, viscosity=viscosity)

    def resistance(self, name: str, a: str, b: str, r: float, diameter: float = 0.0) -> int:
        """A quadratic loss ``h = r q|q|`` (m per (m3/s)^2); ``diameter`` only for reports."""
        return self._link(name, a, b, RESISTANCE, resistance=r, diameter=diameter)

    def pump(self, name: str, a: str, b: str, h0: float, r: float, n: float, count: int = 1,
             speed: float = 1.0) -> int:
        return self._link(name, a, b, PUMP, pump_h0=h0, pump_r=r, pump_n=n, pump_count=count,
                          pump_speed=speed)

    def build(self) -> Network:
        m = len(self._links)

        def col(key: str, default: float = 0.0, dtype=float) -> np.ndarray:
            return np.array([lk.get(key, default) for lk in self._links], dtype=dtype).reshape(m)

        return Network(
            n_nodes=len(self._fixed), start=col("start", dtype=np.int64), end=col("end", dtype=np.int64),
            kind=col("kind", dtype=np.int8), fixed_head=np.array(self._fixed, dtype=float),
            demand=np.array(self._demand, dtype=float), length=col("length"), diameter=col("diameter"),
            roughness=col("roughness"), minor_k=col("minor_k"), viscosity=col("viscosity", 1.0e-6),
            resistance=col("resistance"), pump_h0=col("pump_h0"), pump_r=col("pump_r"),
            pump_n=col("pump_n", 2.0), pump_count=col("pump_count"), pump_speed=col("pump_speed", 1.0),
            closed=np.zeros(m, dtype=bool), node_names=list(self._nodes),
            link_names=list(self._link_names))
