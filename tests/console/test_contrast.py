"""The console palette meets WCAG 2.x AA: 4.5:1 for text, 3:1 for the focus ring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import courtier.console

CSS = Path(courtier.console.__file__).parent / "static" / "console" / "console.css"


def palette() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "wash"),
    ("muted", "paper"),
    ("muted", "wash"),
    ("accent", "paper"),
    ("accent-ink", "accent"),
    ("stale-ink", "stale-bg"),
    ("conflict-ink", "conflict-bg"),
    ("fresh-ink", "fresh-bg"),
    ("error-ink", "paper"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_aa(fg: str, bg: str):
    colours = palette()
    assert contrast(colours[fg], colours[bg]) >= 4.5


def test_focus_ring_and_field_borders_stand_out():
    colours = palette()
    assert contrast(colours["accent"], colours["paper"]) >= 3
    assert contrast(colours["accent"], colours["wash"]) >= 3
    assert contrast(colours["muted"], colours["paper"]) >= 3  # input borders


def test_the_palette_comment_states_the_real_ratios():
    colours = palette()
    assert round(contrast(colours["ink"], colours["paper"]), 1) == 16.6
    assert round(contrast(colours["muted"], colours["paper"]), 1) == 7.8
    assert round(contrast(colours["accent"], colours["paper"]), 1) == 6.4
