"""Colours: the Okabe-Ito palette, which stays distinct under the common colour-vision deficiencies.

One palette for the TUI (seat cards, the tension chart) and the HTML report
(its chart and styles). Colour is never the only cue: every card, line and
chart mark also names its seat or carries a shape or a word.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# The seats' colours on the dark board: the Okabe-Ito hues, lifted where the palette's own
# shade is too dark to read on the background (a projector washes dark colours out): every
# one is at least 4.5:1 against the background, the dialogs' surface and the panels
# (tests/tui/test_console.py computes it). Okabe-Ito's blue and sky blue differ in lightness
# only, so lifting the blue would make it the sky blue: the US is a lighter, more violet
# blue instead. Simulated protanopia and deuteranopia still keep every pair apart (CIELAB
# distance at least 10; the closest, ROK and the US under deuteranopia, 10.6; it was 19 for
# Russia and Japan before). Colour is never the only cue: every card and line names its seat.
SEAT_COLOURS = {
    "dprk": "#E8743A",  # vermillion, lifted
    "rok": OKABE_ITO["sky_blue"],
    "us": "#8FA8FF",  # blue, lifted and turned towards violet
    "russia": "#D98AB5",  # reddish purple, lifted
    "china": OKABE_ITO["orange"],
    "japan": "#2DB38A",  # bluish green, lifted
}

# The HTML documents' CSS custom properties (``--blue`` ...) and the Okabe-Ito colour each one is.
CSS_VARIABLES = {
    "blue": "blue",
    "vermillion": "vermillion",
    "green": "bluish_green",
    "orange": "orange",
    "purple": "reddish_purple",
    "sky": "sky_blue",
}


def css_variables(*names: str) -> str:
    """``--blue: #0072B2; ...``: the declarations of ``names`` (every one of CSS_VARIABLES if none), in that order."""
    return " ".join(f"--{name}: {OKABE_ITO[CSS_VARIABLES[name]]};" for name in names or CSS_VARIABLES)


_SPARE = [OKABE_ITO["yellow"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"]]


def seat_colour(seat: str) -> str:
    """The seat's colour; seats a scenario adds beyond the six get a stable spare one."""
    if seat in SEAT_COLOURS:
        return SEAT_COLOURS[seat]
    return _SPARE[sum(map(ord, seat)) % len(_SPARE)]
