"""tabletop: a terminal facilitator for turn-based seminar wargames.

The package root imports nothing heavy: the CLI starts fast and the domain
modules never pull in Textual.
"""

__version__ = "0.1.0"
