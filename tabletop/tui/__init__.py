"""The Textual front end of tabletop.

Nothing here decides anything about the game: every action is a
:class:`tabletop.session.Session` command, and every screen renders the
session's state. Importing this package does not import Textual; the app lives
in :mod:`tabletop.tui.app`.
"""
