"""Treaty obligations in play, and the article text of the one selected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tabletop import model as m
from tabletop import rulings
from tabletop.sealing import answer_sealed
from tabletop.tui import literal
from tabletop.tui.describe import article_text, treaty_label

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State

STATUS_STYLE = {"triggered": "bold $warning", "contested": "bold $error", "answered": "$success", "void": "dim strike"}


def obligation_line(open_ob: m.OpenObligation, rules: m.Rules, sealed: bool = False, scenario: m.Scenario | None = None) -> Content:
    """One obligation: status first (a narrow panel cuts the line at the right), then treaty, seats by name, and
    for an attack the attacker, so that two contested obligations of one treaty tell apart."""
    ob = open_ob.obligation

    def name(seat: str | None) -> str:
        return m.seat_name(scenario, rules, seat) if scenario is not None else str(seat)

    status = open_ob.status
    if status == "answered":
        status = "answered (sealed)" if sealed else f"answered: {open_ob.answer}"
    elif open_ob.ruling:  # after a ruling its line says the ruling
        status = f"{rulings.said(open_ob.ruling)} by the facilitator"
    parts: list[literal.Part] = [
        (f"{open_ob.id} ", "dim"),
        (status, STATUS_STYLE.get(open_ob.status, "")),
        "  ",
        (f"{treaty_label(rules, ob.treaty)} Art. {ob.article}", "bold"),
        f" {name(ob.obligor)} to {name(ob.beneficiary)} {ob.kind}",
    ]
    if ob.attacker:
        where = f" on {name(ob.location)}" if ob.location else ""
        parts.append((f", attack by {name(ob.attacker)}{where}", "dim"))
    return literal.assemble(*parts)


def obligation_detail(open_ob: m.OpenObligation, rules: m.Rules) -> Content:
    ob = open_ob.obligation
    treaty = rules.treaties.get(ob.treaty)
    parts: list[literal.Part] = [
        (f"{treaty.title if treaty else ob.treaty}, Art. {ob.article}", "bold"), "\n",
        ("duty: ", "dim"), ob.duty, "\n",
        ("because: ", "dim"), ob.because, "\n",
        ("due: ", "dim"), f"turn {open_ob.due} decide phase",
    ]
    if open_ob.ruling:
        parts += ["\n", ("facilitator ruling: ", "dim"), rulings.said(open_ob.ruling)]
    text = article_text(rules, ob.treaty, ob.article)
    if text:
        parts += ["\n\n", (text, "italic")]
    return literal.assemble(*parts)


class ObligationPanel(Vertical):
    """The list on top; the highlighted obligation's article below."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rules: m.Rules | None = None
        self._scenario: m.Scenario | None = None
        self._obligations: dict[str, m.OpenObligation] = {}
        self._shown: list[tuple[str, str, str | None, str | None]] = []
        self._subtitle = ""
        self.set_class(True, "-empty", update=False)  # as show() finds it at first: no restyle then

    def compose(self) -> ComposeResult:
        yield OptionList(id="obligation-list", compact=True)
        with VerticalScroll(id="article-scroll"):
            yield Static(Content.styled("No obligation triggered yet.", "dim italic"), id="article-text")

    def on_mount(self) -> None:
        self.border_title = "Treaty obligations"

    def show(self, rules: m.Rules, state: State, scenario: m.Scenario | None = None) -> None:
        self._rules, self._scenario = rules, scenario
        self._obligations = {k: v for k, v in state.obligations.items() if v.status != "withheld"}  # withheld: set off by what this client may not see
        sealed = {k for k, v in self._obligations.items() if answer_sealed(v, state)}
        shown = [(k, v.status, None if k in sealed else v.answer, v.ruling) for k, v in self._obligations.items()]
        open_count = sum(1 for v in self._obligations.values() if v.status in ("triggered", "contested"))
        subtitle = f"{open_count} open / {len(self._obligations)}"
        if subtitle != self._subtitle:
            self._subtitle = subtitle
            self.border_subtitle = literal.text(subtitle)
        self.set_class(not shown, "-empty")
        if shown == self._shown:
            return
        self._shown = shown
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option is not None else None
        before = {option.id for option in options.options}
        options.set_options(Option(obligation_line(v, rules, k in sealed, scenario), id=k) for k, v in reversed(self._obligations.items()))
        if self._obligations:
            ids = list(reversed(self._obligations))
            # A newly triggered obligation is what the room wants to read; otherwise keep the reader's place.
            fresh = [i for i in ids if i not in before]
            options.highlighted = 0 if fresh or keep not in ids else ids.index(keep)
        else:
            self.query_one("#article-text", Static).update(Content.styled("No obligation triggered yet.", "dim italic"))

    @on(OptionList.OptionHighlighted, "#obligation-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        open_ob = self._obligations.get(event.option.id or "")
        if open_ob is not None and self._rules is not None:
            self.query_one("#article-text", Static).update(obligation_detail(open_ob, self._rules))
            self.query_one("#article-scroll").scroll_home(animate=False)
