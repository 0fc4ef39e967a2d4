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

SEAT_COLOURS = {
    "dprk": OKABE_ITO["vermillion"],
    "rok": OKABE_ITO["sky_blue"],
    "us": OKABE_ITO["blue"],
    "russia": OKABE_ITO["reddish_purple"],
    "china": OKABE_ITO["orange"],
    "japan": OKABE_ITO["bluish_green"],
}

_SPARE = [OKABE_ITO["yellow"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"]]


def seat_colour(seat: str) -> str:
    """The seat's colour; seats a scenario adds beyond the six get a stable spare one."""
    if seat in SEAT_COLOURS:
        return SEAT_COLOURS[seat]
    return _SPARE[sum(map(ord, seat)) % len(_SPARE)]
