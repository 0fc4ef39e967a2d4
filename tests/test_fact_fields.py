"""Facts are refused, not misread: every checked field of rules/facts.yaml, and dated administration in geography.yaml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.loading import load_facts, load_rules, validate
from tabletop.yamlnodes import InputError

ROOT = Path(__file__).resolve().parent.parent


def problems_of(tmp_path, rules, fact: str) -> list[str]:
    path = tmp_path / "facts.yaml"
    path.write_text(f"date: 2025-01-15\nfacts:\n  - {fact}\n")
    with pytest.raises(InputError) as info:
        load_facts(path, rules)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("fact", "at", "message"),
    [
        ("{kind: armed_attack, by: dprk, target: rok, scale: limted}", "limted",
         "unknown scale 'limted' in an armed_attack fact; expected one of: war, limited"),
        ("{kind: armed_attack, by: dprk, target: rok, scale: [limited]}", "[limited]",
         "expected one of war, limited for scale in an armed_attack fact, got a list"),
        ("{kind: armed_attack, by: dprk, target: rok, self_defence: perhaps}", "perhaps", "expected true or false for self_defence"),
        ("{kind: council_vote, by: us, chapter: VIII}", "VIII", "unknown chapter 'VIII' in a council_vote fact; expected one of: VI, VII"),
        ("{kind: council_vote, by: us, votes: {agianst: [russia]}}", "agianst", "expected for, against or abstain under votes, got 'agianst'"),
        ("{kind: council_vote, by: us, votes: {against: [narnia]}}", "narnia", "undefined state 'narnia' in votes.against"),
        ("{kind: armed_attack, by: dprk, target: rok, with: [narnia]}", "narnia", "undefined state 'narnia' in with:"),
        ("{kind: armed_attack, by: us, target: dprk, launched_from: atlantis}", "atlantis", "undefined territory 'atlantis' for launched_from"),
        ("{kind: council_vote, by: us, votes: {for: -20, against: [russia]}}", "-20", "expected a number of votes in favour, 0 or more, got -20"),
        ("{kind: armed_attack, by: dprk, target: dprk}", "dprk}", "by and target name the same state, 'dprk'; expected an armed_attack fact to act on another state"),
        ("{kind: council_vote, by: us, votes: {for: 14, against: [russia, china]}}", "{for", "16 votes for a council of 15 members; expected at most 15"),
        ("{kind: council_vote, by: us, votes: {against: [russia], abstain: [russia]}}", "russia]}", "'russia' is listed twice in votes: under against and under abstain"),
        ("{kind: council_vote, by: us, draft: '[b]x[/b]'}", "'[b]", "expected a name for draft in a council_vote fact (letters, digits, '-', '_' or '.', at most 64)"),
        ("{kind: veto, by: russia, draft: [a, b]}", "[a, b]", "expected a name for draft in a veto fact"),
        ("{kind: armed_attack, by: dprk, target: rok, draft: d1}", "d1", "'draft' applies only to council_vote and veto facts"),
        ("{kind: talks, by: dprk, on_behalf_of: rok}", "rok", "'on_behalf_of' applies only to armed_attack facts, not to a talks fact"),
        ("{kind: missile_test, by: dprk, scale: war}", "war", "'scale' applies only to armed_attack facts, not to a missile_test fact"),
        ("{kind: armed_attack, by: us, target: dprk, on_behalf_of: dprk}", "dprk}", "on_behalf_of names the state attacked"),
        ("{kind: armed_attack, by: us, target: dprk, with: [dprk]}", "[dprk]", "with: names 'dprk', the state attacked"),
        ("{kind: armed_attack, by: us, target: dprk, date: 2025-13-01}", "2025-13-01", "expected a date like 2024-11-05 for date"),
    ],
)
def test_a_fact_field_with_a_value_outside_its_list_is_refused_where_it_stands(tmp_path, rules, fact, at, message):
    found = problems_of(tmp_path, rules, fact)
    where = f"3:{len('  - ') + fact.index(at) + 1}"
    assert any(p.startswith(f"{tmp_path / 'facts.yaml'}:{where}: ") and message in p for p in found), found


def test_the_values_a_field_allows_are_the_ones_the_facts_module_lists(rules):
    assert rules.fact_fields["scale"].values == ("war", "limited")
    assert rules.fact_fields["chapter"].values == ("VI", "VII")
    assert rules.fact_fields["on_behalf_of"].kinds == ("armed_attack",)


def test_good_facts_of_every_checked_field_load(tmp_path, rules):
    path = tmp_path / "facts.yaml"
    path.write_text(
        "date: 2025-01-15\nfacts:\n"
        "  - {kind: armed_attack, by: us, target: dprk, scale: limited, self_defence: true, on_behalf_of: rok, with: [japan], date: 2025-01-14}\n"
        "  - {kind: council_vote, by: us, chapter: VI, votes: {for: 13, against: [russia], abstain: [china]}, parties: [russia]}\n"
        "  - {kind: veto, by: russia, draft_by: us}\n"
        "  - {kind: council_vote, by: us, draft: sanctions-2.b}\n"
        "  - {kind: veto, by: china, draft_by: us, draft: sanctions-2.b}\n"
    )
    _, facts = load_facts(path, rules)
    assert facts[0].details["scale"] == "limited" and facts[0].on_behalf_of == "rok"


def test_resolve_refuses_a_misspelt_scale_with_file_line_col_and_no_traceback(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("date: 2025-01-15\nfacts:\n  - {kind: armed_attack, by: dprk, target: rok, scale: limted}\n")
    done = subprocess.run([sys.executable, "-m", "tabletop", "resolve", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip() == f"{path}:3:56: unknown scale 'limted' in an armed_attack fact; expected one of: war, limited"
    assert "Traceback" not in done.stderr


# --- geography: administration over dated spans ----------------------------------------


def rules_with(tmp_path, old: str, new: str, file: str = "geography.yaml") -> list[str]:
    """The problems a copy of the bundled rules gives with ``old`` in ``file`` replaced by ``new``."""
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    edited = folder / file
    text = edited.read_text()
    assert old in text
    edited.write_text(text.replace(old, new))
    with pytest.raises(InputError) as info:
        load_rules(folder)
    return [str(p) for p in info.value.problems]


OKINAWA = "      - {by: us, to: 1972-05-14}\n      - {by: japan, from: 1972-05-15}\n"


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ("      - {by: us, to: 1972-05-15}\n      - {by: japan, from: 1972-05-15}\n", "on or before the previous span ends 1972-05-15"),
        ("      - {by: us, from: 1972-05-14, to: 1945-01-01}\n", "the span ends 1945-01-01, before it starts 1972-05-14"),
        ("      - {by: atlantis, to: 1972-05-14}\n      - {by: japan, from: 1972-05-15}\n", "undefined state 'atlantis' for by"),
        ("      - {by: us}\n      - {by: japan}\n", "missing field 'from'"),
        ("      - {state: us}\n", "unknown key 'state'"),
    ],
)
def test_bad_administration_spans_are_refused(tmp_path, spans, message):
    found = rules_with(tmp_path, OKINAWA, spans)
    assert any("geography.yaml:" in p and message in p for p in found), found


def test_the_bundled_scenarios_and_rules_validate():
    problems, checked = validate([ROOT / "scenarios", ROOT / "rules"])
    assert not problems and checked >= 9


def test_okinawa_changes_administration_on_the_reversion(rules):
    import datetime as dt

    okinawa = rules.territories["okinawa"]
    assert okinawa.administrator(dt.date(1972, 5, 14)) == "us"
    assert okinawa.administrator(dt.date(1972, 5, 15)) == "japan"
    assert rules.territories["guam"].administrator(dt.date(1900, 1, 1)) == "us"


def test_a_wartime_command_naming_no_state_or_the_state_itself_is_refused(tmp_path):
    old = "wartime_command: [{by: us, from: 1950-07-14}]"
    assert "undefined state 'usa_forces' for by" in "\n".join(rules_with(tmp_path / "a", old, "wartime_command: [{by: usa_forces, from: 1950-07-14}]"))
    found = "\n".join(rules_with(tmp_path / "b", old, "wartime_command: rok"))
    assert "geography.yaml:" in found and "the wartime command of 'rok' names 'rok' itself" in found


def test_a_draft_name_is_kept_as_written(tmp_path, rules):
    path = tmp_path / "facts.yaml"
    path.write_text('date: 2025-01-15\nfacts:\n  - {kind: council_vote, by: us, draft: 007}\n  - {kind: veto, by: russia, draft: "007"}\n')
    _, facts = load_facts(path, rules)
    assert [f.details["draft"] for f in facts] == ["007", "007"]
