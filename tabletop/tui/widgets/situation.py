"""The situation: every inject released so far, newest first, with its date and source key."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tabletop import model as m


def released_injects(scenario: m.Scenario, state: m.WorldState) -> list[m.Inject]:
    """The injects in the order they were released (scripted ones from the scenario, ad-hoc ones from the state)."""
    out = []
    for inject_id in state.released:
        inject = state.adhoc.get(inject_id)
        if inject is None:
            try:
                inject = scenario.inject(inject_id)
            except KeyError:
                continue
        out.append(inject)
    return out


def inject_content(inject: m.Inject, scenario: m.Scenario, with_text: bool = True) -> Content:
    when = inject.date.isoformat() if inject.date else "standby"
    parts: list[str | tuple[str, str]] = [(when, "bold $accent"), "  ", (inject.title, "bold"), "  ", (f"[{inject.source}]", "dim")]
    audience = [a for a in inject.to if a != "all"]
    if audience:
        parts += ["\n", ("to: " + ", ".join(scenario.seats[a].name if a in scenario.seats else a for a in audience), "italic")]
    if with_text and inject.text:
        parts += ["\n", (inject.text.strip(), "")]
    return Content.assemble(*parts)


class SituationPanel(VerticalScroll):
    """Newest inject on top, so the one just read out is always in view."""

    def compose(self):
        yield Static(id="situation-text")

    def on_mount(self) -> None:
        self.border_title = "Situation"

    def show(self, scenario: m.Scenario, state: m.WorldState, upcoming: list[m.Inject] | None = None) -> None:
        injects = released_injects(scenario, state)
        blocks = [inject_content(i, scenario) for i in reversed(injects)]
        text = Content("\n\n").join(blocks) if blocks else Content.styled("No inject released yet.", "dim italic")
        self.query_one("#situation-text", Static).update(text)
        if upcoming is None:
            self.border_subtitle = f"{len(injects)} released"
        else:
            scheduled = [i for i in upcoming if not i.standby]
            standby = len(upcoming) - len(scheduled)
            spare = f", s: {standby} standby" if standby else ""
            if scheduled:
                self.border_subtitle = f"n: {scheduled[0].title} ({len(scheduled)} left{spare})"
            else:
                self.border_subtitle = f"none scheduled left{spare}"
