"""Draws the installed app's icons once; the PNGs are committed under
``inscrire/static/inscrire/icons/`` and nothing is drawn or downloaded at
run time. To redraw them (a new colour, a new motif)::

    .venv/bin/python -m inscrire.pwa_icons

A white school house on the portal's blue (``--brand`` in site.css):
« any » icons have rounded corners; « maskable » ones fill the square and
keep the house inside the central circle Android may cut them to; the
Apple touch icon is opaque (iOS rounds it itself); the badge is the house
alone, white on transparent, for Android's status bar.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (0x0B, 0x5E, 0x7A, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
FOLDER = Path(__file__).parent / "static" / "inscrire" / "icons"
SUPERSAMPLE = 4


def _house(draw: ImageDraw.ImageDraw, size: int, *, scale: float, ink, cut) -> None:
    """The motif, in a unit square centred on the canvas, ``scale`` of its side."""

    def at(x: float, y: float) -> tuple[float, float]:
        return (size * (0.5 + (x - 0.5) * scale), size * (0.5 + (y - 0.5) * scale))

    def box(x0, y0, x1, y1):
        return [at(x0, y0), at(x1, y1)]

    draw.polygon([at(0.20, 0.47), at(0.50, 0.20), at(0.80, 0.47)], fill=ink)  # roof
    draw.rectangle(box(0.27, 0.45, 0.73, 0.76), fill=ink)  # walls
    draw.rounded_rectangle(box(0.16, 0.76, 0.84, 0.81), radius=size * scale * 0.02, fill=ink)  # ground
    draw.ellipse(box(0.455, 0.325, 0.545, 0.415), fill=cut)  # the clock (or bell) under the roof
    draw.rounded_rectangle(box(0.44, 0.58, 0.56, 0.765), radius=size * scale * 0.015, fill=cut)  # door
    for x in (0.32, 0.60):  # windows
        draw.rectangle(box(x, 0.53, x + 0.08, 0.62), fill=cut)


def draw(size: int, *, kind: str) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), CLEAR)
    pen = ImageDraw.Draw(image)
    if kind == "any":
        pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.18, fill=BRAND)
        _house(pen, big, scale=1.0, ink=WHITE, cut=BRAND)
    elif kind == "maskable":
        pen.rectangle([0, 0, big, big], fill=BRAND)
        _house(pen, big, scale=0.78, ink=WHITE, cut=BRAND)  # within the 80 % safe circle
    elif kind == "apple":
        pen.rectangle([0, 0, big, big], fill=BRAND)
        _house(pen, big, scale=0.9, ink=WHITE, cut=BRAND)
    elif kind == "badge":
        _house(pen, big, scale=1.1, ink=WHITE, cut=CLEAR)
    else:
        raise ValueError(kind)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    return image.convert("RGB") if kind == "apple" else image


ICONS = {
    "icon-32.png": (32, "any"),
    "icon-192.png": (192, "any"),
    "icon-512.png": (512, "any"),
    "icon-maskable-192.png": (192, "maskable"),
    "icon-maskable-512.png": (512, "maskable"),
    "apple-touch-icon.png": (180, "apple"),
    "badge-96.png": (96, "badge"),
}


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, (size, kind) in ICONS.items():
        draw(size, kind=kind).save(FOLDER / name, optimize=True)
        print(FOLDER / name)


if __name__ == "__main__":
    main()
