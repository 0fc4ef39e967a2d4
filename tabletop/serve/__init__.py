"""The classroom server: one process owns the exercise, each team joins from its own device.

``tabletop serve`` runs :class:`tabletop.serve.server.Server`: it holds the one
:class:`~tabletop.session.Session` and is the only writer of the log. Clients
(``tabletop join``, or anything written from ``docs/protocol.md``) send typed
commands over a websocket and receive the log's records, each as its role may
see it (:mod:`tabletop.serve.visibility`): decided on the server, so sealed
content never crosses the wire to anyone who may not see it.

Nothing here imports Textual; the TUI client lives in ``tabletop/tui/remote.py``.
"""
