#!/usr/bin/env python3
"""Draw the app's icons (favicon, home-screen and manifest icons) as PNG files, once; the files are committed.

    .venv/bin/python scripts/make_icons.py

The drawing is the one in webapp/static/icons/favicon.svg (a white leaf with its vein and stem on the
platform green), on a 100 x 100 grid: keep the two in step when the logo changes. Written with pypng (a
dependency of qrcode[png]), no other image library; each pixel is the average of 4 x 4 samples, so the edges
are smooth. "maskable" icons fill the square (a launcher cuts its own shape; the leaf stays inside the
centre circle of 40 % radius that every mask keeps); the others have rounded corners on transparency.
"""

from __future__ import annotations

import io
import math
import struct
from pathlib import Path

import png

OUT = Path(__file__).resolve().parent.parent / "webapp" / "static" / "icons"
GREEN = (0x39, 0x87, 0x12)
WHITE = (0xFF, 0xFF, 0xFF)
CORNER = 22  # rounded-square radius, grid units
TIP_A, TIP_B = (29.0, 71.0), (71.0, 29.0)  # the leaf's two tips
RADIUS = 34.0  # of the two arcs that make the leaf
STEM = ((22.0, 78.0), (31.0, 69.0), 2.5)  # from, to, half width
VEIN = ((33.0, 67.0), (62.0, 38.0), 1.75)
SAMPLES = 4


def _arc_centres() -> tuple[tuple[float, float], tuple[float, float]]:
    (ax, ay), (bx, by) = TIP_A, TIP_B
    mx, my = (ax + bx) / 2, (ay + by) / 2
    half = math.dist(TIP_A, TIP_B) / 2
    h = math.sqrt(RADIUS**2 - half**2)
    nx, ny = (by - ay) / (2 * half), (ax - bx) / (2 * half)  # unit normal to the chord
    return (mx + h * nx, my + h * ny), (mx - h * nx, my - h * ny)


CENTRES = _arc_centres()


def _near_segment(x: float, y: float, segment) -> bool:
    (x1, y1), (x2, y2), half_width = segment
    dx, dy = x2 - x1, y2 - y1
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy) <= half_width


def _in_rounded_square(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), 100 - CORNER)
    cy = min(max(y, CORNER), 100 - CORNER)
    return math.hypot(x - cx, y - cy) <= CORNER


def _sample(x: float, y: float, rounded: bool) -> tuple[int, int, int, int]:
    """The colour (RGBA) of one point of the 100 x 100 drawing."""
    if rounded and not _in_rounded_square(x, y):
        return (0, 0, 0, 0)
    if _near_segment(x, y, VEIN):
        return (*GREEN, 255)
    in_leaf = all(math.dist((x, y), c) <= RADIUS for c in CENTRES)
    if in_leaf or _near_segment(x, y, STEM):
        return (*WHITE, 255)
    return (*GREEN, 255)


def draw(size: int, *, rounded: bool) -> list[list[int]]:
    """Rows of RGBA values, ``size`` pixels square."""
    step = 100 / size / SAMPLES
    rows = []
    for py in range(size):
        row: list[int] = []
        for px in range(size):
            total = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    y = (py * SAMPLES + sy + 0.5) * step
                    r, g, b, a = _sample(x, y, rounded)
                    total = [total[0] + r * a, total[1] + g * a, total[2] + b * a, total[3] + a]
            alpha = total[3]
            colour = [round(c / alpha) for c in total[:3]] if alpha else [0, 0, 0]
            row.extend([*colour, round(alpha / SAMPLES**2)])
        rows.append(row)
    return rows


def png_bytes(size: int, *, rounded: bool) -> bytes:
    buffer = io.BytesIO()
    png.Writer(size, size, greyscale=False, alpha=True, compression=9).write(
        buffer, draw(size, rounded=rounded)
    )
    return buffer.getvalue()


def ico_bytes(png_data: bytes, size: int) -> bytes:
    """A one-image ICO file holding a PNG (read by every browser since IE 9)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png_data), 6 + 16)
    return header + entry + png_data


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "icon-192.png": png_bytes(192, rounded=True),
        "icon-512.png": png_bytes(512, rounded=True),
        "maskable-192.png": png_bytes(192, rounded=False),
        "maskable-512.png": png_bytes(512, rounded=False),
        "apple-touch-icon.png": png_bytes(180, rounded=False),  # iOS rounds the corners itself
        "favicon.ico": ico_bytes(png_bytes(32, rounded=True), 32),
    }
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
