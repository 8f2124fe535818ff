"""Shared building blocks of the document types.

Pydantic here enforces *structure* only: types, finite numbers, known fields.
Physical plausibility (negative power, zero diameters, fractions outside 0-1)
is checked by :mod:`designer.model.validate`, which reports findings instead of
raising, so a file with a bad value still opens and can be fixed in the app.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
"""An item id: 1-64 letters, digits, '_', '.', '-'. Unique across the project."""

Point = tuple[float, float]
"""A point on a floor plan in metres (x east, y north)."""


class DModel(BaseModel):
    """Base of every document type: unknown fields are errors, numbers are finite."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        validate_assignment=False,
        revalidate_instances="never",
        populate_by_name=True,
    )


class Member(DModel):
    """Mixin of every hall item that can belong to a placed module (an assembly)."""

    module_id: Id | None = None
    """The module this item is part of: it moves, turns, copies and goes with it."""


class Located(DModel):
    """Geographic location in decimal degrees (WGS84)."""

    lat: float
    lon: float


class Placed(DModel):
    """An item with a rectangular footprint placed on a hall plan.

    ``x``, ``y`` are the centre of the footprint in metres; ``rotation_deg`` turns the
    item counter-clockwise. At rotation 0 the item's width runs along x, its depth along
    y, and its front faces +y (north).
    """

    id: Id
    name: str = ""
    catalog_model: str = ""
    x: float = 0.0
    y: float = 0.0
    rotation_deg: float = 0.0
    width_m: float = 0.6
    depth_m: float = 1.2

    def corners(self) -> list[Point]:
        """Footprint corners, counter-clockwise, starting front-left."""
        return footprint_corners(self.x, self.y, self.width_m, self.depth_m, self.rotation_deg)

    def front_normal(self) -> Point:
        """Unit vector the item's front faces."""
        return front_normal(self.rotation_deg)


def shallow_copy(m: BaseModel) -> BaseModel:
    """A shallow copy of a model, about ten times faster than ``model_copy()``.

    Field values are shared, which is safe because the document replaces values instead
    of mutating them (see :mod:`designer.document.document`).
    """
    new = object.__new__(type(m))
    object.__setattr__(new, "__dict__", m.__dict__.copy())
    object.__setattr__(new, "__pydantic_fields_set__", set(m.__pydantic_fields_set__))
    object.__setattr__(new, "__pydantic_extra__", m.__pydantic_extra__)
    object.__setattr__(new, "__pydantic_private__", m.__pydantic_private__)
    return new


def rotate(px: float, py: float, deg: float) -> Point:
    """Rotate a vector counter-clockwise by ``deg`` degrees."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return (c * px - s * py, s * px + c * py)


def front_normal(rotation_deg: float) -> Point:
    """Unit vector of the front of an item rotated by ``rotation_deg`` (0 -> +y)."""
    return rotate(0.0, 1.0, rotation_deg)


def footprint_corners(x: float, y: float, w: float, d: float, rotation_deg: float) -> list[Point]:
    """Corners of a ``w`` x ``d`` rectangle centred at (x, y) and rotated.

    Order: front-left, back-left, back-right, front-right (counter-clockwise when
    viewed with y up), so the first and last corners span the front face.
    """
    hw, hd = w / 2.0, d / 2.0
    local = [(-hw, hd), (-hw, -hd), (hw, -hd), (hw, hd)]
    out = []
    for lx, ly in local:
        rx, ry = rotate(lx, ly, rotation_deg)
        out.append((x + rx, y + ry))
    return out


def to_local(x: float, y: float, item: Placed) -> Point:
    """Express the plan point (x, y) in the item's local frame (front = +y)."""
    return rotate(x - item.x, y - item.y, -item.rotation_deg)


def to_plan(lx: float, ly: float, item: Placed) -> Point:
    """Express the local point (lx, ly) of an item in plan coordinates."""
    rx, ry = rotate(lx, ly, item.rotation_deg)
    return (item.x + rx, item.y + ry)
