"""Geometry for the server-rendered SVG charts; the SVG itself is in templates/macros/charts.html."""

import json
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # a share from 0 to 1
    width: float  # in chart units
    y: float


def bars(rows: list[tuple[str, float]], width: float = 300, row_height: float = 44) -> list[Bar]:
    """Horizontal bars scaled so the largest share fills the width."""
    top = max((value for _, value in rows), default=0) or 1
    return [Bar(label, value, width * value / top, i * row_height) for i, (label, value) in enumerate(rows)]


def outline_path(geometry_json: str | None, size: float = 300) -> str | None:
    """An SVG path for a GeoJSON (Multi)Polygon, in an equal-scale box `size` wide."""
    if not geometry_json:
        return None
    geometry = json.loads(geometry_json)
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    points = [pt for polygon in polygons for ring in polygon for pt in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    squash = math.cos(math.radians((min(lats) + max(lats)) / 2))  # metres per degree of longitude
    span = max((max(lons) - min(lons)) * squash, max(lats) - min(lats)) or 1
    scale = (size - 10) / span

    def xy(pt):
        return (5 + (pt[0] - min(lons)) * squash * scale, 5 + (max(lats) - pt[1]) * scale)

    parts = []
    for polygon in polygons:
        for ring in polygon:
            coords = [xy(pt) for pt in ring]
            parts.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in coords) + " Z")
    return " ".join(parts)
