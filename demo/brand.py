"""Draws the integration's brand images: `python -m demo.brand`.

A vending cabinet with a camera in its window and WiFi above it, drawn with
Pillow at four times the size and scaled down for smooth edges. The logo adds
the name, set in the font Pillow ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

from .scenario import REPO

BRAND: Final = REPO / "custom_components" / "piorchestrator" / "brand"
SCALE: Final = 4

SLATE: Final = (38, 50, 56, 255)
WHITE: Final = (255, 255, 255, 255)
RASPBERRY: Final = (197, 26, 74, 255)
TEAL: Final = (0, 150, 136, 255)
GLASS: Final = (207, 216, 220, 255)


def draw_icon(size: int) -> Image.Image:
    """The square icon, `size` pixels wide."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * big), round(y0 * big), round(x1 * big), round(y1 * big))

    def width(fraction: float) -> int:
        return max(1, round(fraction * big))

    # The tile.
    draw.rounded_rectangle(box(0.02, 0.02, 0.98, 0.98), radius=width(0.2), fill=SLATE)
    # WiFi, top right: three arcs around a dot.
    centre = (0.76, 0.30)
    for radius in (0.07, 0.13, 0.19):
        draw.arc(
            box(centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
            start=225,
            end=315,
            fill=TEAL,
            width=width(0.032),
        )
    draw.ellipse(box(0.735, 0.275, 0.785, 0.325), fill=TEAL)
    # The cabinet: body, window, and a handle.
    draw.rounded_rectangle(box(0.18, 0.26, 0.64, 0.86), radius=width(0.05), fill=WHITE)
    draw.rounded_rectangle(box(0.24, 0.33, 0.58, 0.66), radius=width(0.03), fill=GLASS)
    draw.rounded_rectangle(box(0.53, 0.70, 0.57, 0.80), radius=width(0.015), fill=SLATE)
    draw.rectangle(box(0.24, 0.72, 0.47, 0.77), fill=GLASS)
    # The camera in the window: a body and its lens.
    draw.rounded_rectangle(box(0.30, 0.41, 0.52, 0.60), radius=width(0.03), fill=SLATE)
    draw.rectangle(box(0.35, 0.38, 0.42, 0.42), fill=SLATE)
    draw.ellipse(box(0.36, 0.445, 0.46, 0.545), fill=RASPBERRY)
    draw.ellipse(box(0.395, 0.48, 0.425, 0.51), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_logo(height: int) -> Image.Image:
    """The icon and the name side by side, `height` pixels high."""
    icon = draw_icon(height)
    font = ImageFont.load_default(size=round(height * 0.36))
    text = "PiOrchestrator"
    left, top, right, bottom = (round(edge) for edge in font.getbbox(text))
    gap = round(height * 0.12)
    width = height + gap + (right - left) + round(height * 0.08)
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    logo.alpha_composite(icon)
    draw = ImageDraw.Draw(logo)
    y = (height - (bottom - top)) // 2 - top
    draw.text((height + gap - left, y), text, font=font, fill=SLATE)
    return logo


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    BRAND.mkdir(parents=True, exist_ok=True)
    images: dict[str, Image.Image] = {
        "icon.png": draw_icon(256),
        "icon@2x.png": draw_icon(512),
        "logo.png": draw_logo(256),
        "logo@2x.png": draw_logo(512),
    }
    for name, image in images.items():
        path: Path = BRAND / name
        image.save(path, optimize=True)


if __name__ == "__main__":
    main()
