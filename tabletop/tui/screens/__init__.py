"""Screens of the app: start, board, the modal dialogs, decisions, adjudication, hot wash, replay, help."""
