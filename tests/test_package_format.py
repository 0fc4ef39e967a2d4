"""The exercise package in a scenario file: objectives, roles, control cells, and the guide's sections.

Each addition loads into the model, and each mistake in it is reported as file:line:col with what
was expected, like everything else the loader reads.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tabletop.loading import load_scenario
from tabletop.yamlnodes import InputError

from .conftest import MINI

MINI_TEXT = MINI.read_text()

PACKAGE = """
objectives:
  - {id: obj-triggers, text: "Tell a threat from an armed attack."}
  - {id: obj-council, text: "Report to the Council."}
control:
  press:
    name: "Press pool"
    brief: "Ask questions."
    roles:
      - {id: wire, title: "Wire reporter"}
      - {id: tv, title: "Broadcast correspondent", merge_into: wire}
corrections:
  - {id: c1, source: ref-treaties, claim: "X", correction: "Y", checked: ref-treaties, injects: [clash]}
facilitation:
  minutes: {brief: 10, deliberate: 20, review: 10}
  rulings:
    - id: r1
      title: "Who fired first"
      text: "Rule on the record."
      sources: [ref-treaties]
      articles: [{treaty: us-rok-1953, article: "III"}, {treaty: charter, article: "51"}]
  divergence:
    - {title: "Off the record", text: "Say so."}
debrief:
  questions: ["What happened?"]
  after:
    - {date: 2025-04-28, title: "Later", text: "After the end.", source: ref-treaties}
"""


def package_text(**replace: str) -> str:
    text = MINI_TEXT.replace('setting: "', "end: 2025-01-20\n" + PACKAGE.strip() + '\nsetting: "', 1)
    text = text.replace(
        '    brief: "Test brief for DPRK."\n',
        '    brief: "Test brief for DPRK."\n'
        "    sources: [ref-treaties]\n"
        "    roles:\n"
        "      - {id: head, title: Leader, focus: Decides., leads: [talk, drill]}\n"
        "      - {id: un, title: UN ambassador, merge_into: head}\n",
        1,
    )
    text = text.replace(
        "    facts: [{kind: threat, by: dprk, target: rok, location: rok}]\n",
        "    facts: [{kind: threat, by: dprk, target: rok, location: rok}]\n"
        "    from: press\n"
        "    to: [rok, us]\n"
        "    objectives: [obj-triggers]\n"
        "    expected_actions: [\"The ROK consults the US under Art. II\", \"Nobody fights\"]\n",
        1,
    )
    text = text.replace("  - {id: 2, title:", "  - {id: 2, minutes: {deliberate: 30}, title:", 1)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def load_text(tmp_path, text, rules):
    path = tmp_path / "package.yaml"
    path.write_text(text)
    return load_scenario(path, rules)[0]


def problems(tmp_path, text, rules) -> list[str]:
    path = tmp_path / "package.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path, rules)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_package_loads_into_the_model(tmp_path, rules):
    scenario = load_text(tmp_path, package_text(), rules)
    assert [o.id for o in scenario.objectives] == ["obj-triggers", "obj-council"]
    threat = scenario.inject("threat")
    assert threat.sender == "press" and threat.to == ("rok", "us")
    assert threat.objectives == ("obj-triggers",)
    assert threat.expected_actions == ("The ROK consults the US under Art. II", "Nobody fights")
    dprk = scenario.seats["dprk"]
    assert [r.id for r in dprk.roles] == ["head", "un"] and dprk.roles[0].leads == ("talk", "drill")
    assert dprk.roles[1].merge_into == "head" and dprk.sources == ("ref-treaties",)
    press = scenario.control["press"]
    assert press.name == "Press pool" and [r.id for r in press.roles] == ["wire", "tv"]
    assert scenario.corrections[0].injects == ("clash",)
    assert scenario.facilitation.minutes == {"brief": 10, "deliberate": 20, "review": 10}
    assert scenario.turn(2).minutes == {"deliberate": 30}
    [ruling] = scenario.facilitation.rulings
    assert [(a.treaty, a.article) for a in ruling.articles] == [("us-rok-1953", "III"), ("charter", "51")]
    assert scenario.debrief.after[0].date == dt.date(2025, 4, 28)


@pytest.mark.parametrize(
    "old, new, at, message",
    [
        ("objectives: [obj-triggers]", "objectives: [obj-nowhere]", "[obj-nowhere]",
         "undefined objective 'obj-nowhere' in inject 'threat'; expected one of: obj-council, obj-triggers"),
        ("    from: press\n", "    from: radio\n", "radio",
         "undefined control cell 'radio' in from:; expected one of: press"),
        ("leads: [talk, drill]", "leads: [talk, parade]", "[talk, parade]",
         "undefined option 'parade' in the leads of role 'head' of 'dprk'"),
        ("merge_into: head}", "merge_into: nobody}", "{id: un",
         "role 'un' of 'dprk' merges into 'nobody'; expected another role of 'dprk': head"),
        ("  press:\n", "  rok:\n", "rok:", "control cell 'rok' has the id of a seat"),
        ("{date: 2025-04-28, title: \"Later\"", "{date: 2025-01-15, title: \"Later\"", "2025-01-15",
         "debrief.after is what happened after the scenario's end (2025-01-20); 2025-01-15 is not after it"),
        ("minutes: {brief: 10,", "minutes: {briefing: 10,", "briefing",
         "unknown phase 'briefing' in facilitation.minutes; expected one of: brief, deliberate, decide, adjudicate, review"),
        ('{treaty: us-rok-1953, article: "III"}', '{treaty: us-rok-1953, article: "IX"}', '"IX"',
         "treaty 'us-rok-1953' has no article 'IX'; expected one of: II, III"),
        ('{treaty: charter, article: "51"}', '{treaty: charter, article: "52"}', '"52"',
         "the Charter articles of rules/unsc.yaml have no '52'"),
        ("injects: [clash]}", "injects: [crash]}", "[crash]", "undefined inject 'crash' in correction 'c1'"),
        ("    sources: [ref-treaties]\n    roles:", "    sources: [nowhere]\n    roles:", "nowhere",
         "undefined source 'nowhere'; expected a key under 'sources'"),
    ],
)
def test_each_mistake_is_placed_and_says_what_was_expected(tmp_path, rules, old, new, at, message):
    """The problem sits at the line and column where ``at`` begins (the value or key at fault)."""
    text = package_text(**{old: new})
    found = problems(tmp_path, text, rules)
    line = line_of(text, at)
    where = f"package.yaml:{line}:{text.splitlines()[line - 1].index(at) + 1}: "
    assert any(where in p and message in p for p in found), found


def test_a_control_cell_role_cannot_lead_options(tmp_path, rules):
    text = package_text(**{'{id: wire, title: "Wire reporter"}': '{id: wire, title: "Wire reporter", leads: [talk]}'})
    found = problems(tmp_path, text, rules)
    assert any(re.search(r"role 'wire' of control cell 'press' has leads", p) for p in found), found


def test_a_scenario_without_the_package_still_loads(mini):
    assert mini.objectives == () and mini.control == {} and mini.corrections == ()
    assert mini.facilitation.rulings == () and mini.debrief.after == ()
    assert all(i.objectives == () and i.expected_actions == () and i.sender is None for i in mini.injects)
