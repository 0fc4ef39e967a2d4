"""MSEL interchange: export to the HSEEP MSEL layout, import back, errors at row and column."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop import cli, msel
from tabletop.loading import load_scenario
from tabletop.yamlnodes import InputError

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [ROOT / "scenarios" / "nea-2024.yaml", ROOT / "scenarios" / "nll-2025.yaml", MINI]

HSEEP = [
    "Event #", "Designated Scenario Time", "Event Type", "Inject Mode", "From", "To", "Event Synopsis", "Message",
    "Expected Player Action", "Objective/Core Capability", "Notes", "Responsible Controller", "Actual Time",
]
TABLETOP = ["Inject ID", "Turn", "Source", "Cite", "Hypothetical", "Facts", "Effects", "Scenario"]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> None:
    """Set a cell by spreadsheet row number (the header is row 1) and column name."""
    rows[row - 1][rows[0].index(column)] = value


def fact_details(scenario):
    return [[f.to_json() for f in i.facts] for i in scenario.injects]


@pytest.fixture
def mini_csv(tmp_path):
    out = tmp_path / "mini.csv"
    assert cli.main(["msel", "export", str(MINI), "-o", str(out)]) == 0
    return out


# --- the layout -------------------------------------------------------------------


def test_header_is_the_hseep_template_then_tabletops_own_columns(mini_csv):
    data = mini_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads it as UTF-8"
    rows = read_rows(mini_csv)
    assert rows[0] == HSEEP + TABLETOP
    assert list(msel.HEADER) == HSEEP + TABLETOP
    assert len(rows) == 1 + 4
    assert all(len(r) == len(rows[0]) for r in rows)


def test_rows_follow_the_msel_and_map_every_field(mini_csv, mini):
    rows = read_rows(mini_csv)
    col = {name: i for i, name in enumerate(rows[0])}
    assert [r[col["Inject ID"]] for r in rows[1:]] == [i.id for i in mini.injects]
    assert [r[col["Event #"]] for r in rows[1:]] == ["1", "2", "3", "4"]
    first, _, _, standby = rows[1:]
    assert first[col["Designated Scenario Time"]] == "2025-01-02"
    assert first[col["Event Type"]] == "Inject"
    assert first[col["To"]] == "all"
    assert first[col["Event Synopsis"]] == "DPRK missile test"
    assert first[col["Message"]] == "A test of a short-range missile."
    assert first[col["Facts"]] == "[{kind: missile_test, by: dprk, system: KN-25, range_km: 400}]"
    assert first[col["Effects"]] == "{tension: 1}"
    assert first[col["Hypothetical"]] == "no"
    assert first[col["Scenario"]] == "mini"
    assert standby[col["Event Type"]] == "Contingency inject"
    assert standby[col["Designated Scenario Time"]] == ""
    assert standby[col["Hypothetical"]] == "yes"


def test_export_to_standard_output_has_no_bom(capsys):
    assert cli.main(["msel", "export", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Event #,Designated Scenario Time,")


# --- round trips ------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_round_trip_changes_nothing(tmp_path, scenario):
    original, _ = load_scenario(scenario)
    first, yaml_out, second = tmp_path / "a.csv", tmp_path / "s.yaml", tmp_path / "b.csv"
    assert cli.main(["msel", "export", str(scenario), "-o", str(first)]) == 0
    assert cli.main(["msel", "import", str(first), "--scenario", str(scenario), "-o", str(yaml_out)]) == 0
    assert cli.main(["validate", str(yaml_out)]) == 0
    imported, _ = load_scenario(yaml_out)
    assert imported.injects == original.injects
    assert fact_details(imported) == fact_details(original)
    assert (imported.id, imported.turns, imported.seats, imported.options) == (original.id, original.turns, original.seats, original.options)
    assert cli.main(["msel", "export", str(yaml_out), "-o", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_import_keeps_the_rest_of_the_base_file_as_written(tmp_path, scenario):
    base = scenario.read_text(encoding="utf-8")
    first = tmp_path / "a.csv"
    assert cli.main(["msel", "export", str(scenario), "-o", str(first)]) == 0
    text = msel.import_csv(first, scenario).text
    head = base[: base.index("\ninjects:")]
    assert text.startswith(head + "\ninjects:\n")
    tail = base[base.index("\noptions:") :]
    assert text.endswith(tail)


def test_import_finds_a_bundled_base_by_the_scenario_column(tmp_path, capsys):
    first, out = tmp_path / "a.csv", tmp_path / "s.yaml"
    assert cli.main(["msel", "export", "nll-2025", "-o", str(first)]) == 0
    assert cli.main(["msel", "import", str(first), "-o", str(out)]) == 0
    assert "scenarios/nll-2025.yaml" in capsys.readouterr().err
    assert load_scenario(out)[0].id == "nll-2025"


def test_texts_with_commas_quotes_newlines_and_unicode_survive(tmp_path):
    tricky = 'He said, "no" -- twice;\nthen: {left}, [right] and Hwasŏng, 김정은, Шойгу.'
    text = MINI.read_text(encoding="utf-8").replace(
        '    text: "A test of a short-range missile."',
        "    text: |\n      " + tricky.replace("\n", "\n      ") + "\n    note: \"a, b; 'c'\"\n    cite: \"#1: yes\"",
    )
    scenario = tmp_path / "tricky.yaml"
    scenario.write_text(text, encoding="utf-8")
    original, _ = load_scenario(scenario)
    assert original.inject("missile").text == tricky
    first, out, second = tmp_path / "a.csv", tmp_path / "s.yaml", tmp_path / "b.csv"
    assert cli.main(["msel", "export", str(scenario), "-o", str(first)]) == 0
    rows = read_rows(first)
    assert rows[1][rows[0].index("Message")] == tricky
    assert first.read_bytes().count(b"\r\n") == 1 + 4, "a newline inside a cell stays a bare LF, quoted"
    assert cli.main(["msel", "import", str(first), "--scenario", str(scenario), "-o", str(out)]) == 0
    imported, _ = load_scenario(out)
    assert imported.injects == original.injects
    assert cli.main(["msel", "export", str(out), "-o", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()


# --- edits ------------------------------------------------------------------------


def test_an_edited_sheet_imports_and_validates(tmp_path, mini_csv, capsys):
    rows = read_rows(mini_csv)
    set_cell(rows, 2, "Event Synopsis", "DPRK fires a KN-25 salvo")
    new = [""] * len(rows[0])
    rows.append(new)
    set_cell(rows, 6, "Event #", "5")
    set_cell(rows, 6, "Designated Scenario Time", "2025-01-15")
    set_cell(rows, 6, "Event Type", "Inject")
    set_cell(rows, 6, "To", "US; rok")  # a seat's name or id, any case
    set_cell(rows, 6, "Event Synopsis", "Hypothetical: US carrier enters the East Sea")
    set_cell(rows, 6, "Message", "A US carrier group sails into the East Sea, with escorts.")
    set_cell(rows, 6, "Turn", "2")
    set_cell(rows, 6, "Source", "ref-treaties")
    set_cell(rows, 6, "Hypothetical", "Yes")
    set_cell(rows, 6, "Facts", "[{kind: deployment, by: us, ships: 5}]")
    set_cell(rows, 6, "Effects", "{tension: 1, credibility: {us: 1}}")
    edited, out = tmp_path / "edited.csv", tmp_path / "edited.yaml"
    write_rows(edited, rows)
    assert cli.main(["msel", "import", str(edited), "--scenario", str(MINI), "-o", str(out)]) == 0
    assert cli.main(["validate", str(out)]) == 0
    scenario, _ = load_scenario(out)
    assert scenario.inject("missile").title == "DPRK fires a KN-25 salvo"
    added = scenario.injects[-1]
    assert added.id == "hyp-us-carrier-enters-the-east-sea"  # made from the title
    assert (added.turn, added.to, added.hypothetical, added.standby) == (2, ("us", "rok"), True, False)
    assert added.effects.tension == 1 and dict(added.effects.credibility) == {"us": 1}
    assert added.facts[0].to_json() == {"kind": "deployment", "by": "us", "ships": 5}
    assert "date: 2025-01-15\n" in out.read_text(encoding="utf-8")  # a date, not a string


def test_blank_and_numbered_only_rows_are_skipped(tmp_path, mini_csv):
    rows = read_rows(mini_csv)
    rows.insert(2, [""] * len(rows[0]))
    numbered = [""] * len(rows[0])
    numbered[0] = "99"
    rows.append(numbered)
    edited = tmp_path / "gaps.csv"
    write_rows(edited, rows)
    assert len(msel.import_csv(edited, MINI).scenario.injects) == 4


def test_semicolon_separated_sheets_import(tmp_path, mini_csv):
    semi = tmp_path / "semi.csv"
    write_rows(semi, read_rows(mini_csv), delimiter=";")
    result = msel.import_csv(semi, MINI)
    assert msel.same_injects(result.scenario, load_scenario(MINI)[0])


def test_hseep_columns_tabletop_once_ignored_are_kept_and_exported(tmp_path, mini_csv, capsys):
    """Inject Mode, From, Expected Player Action, Objective, Responsible Controller, Actual Time and a
    planner's own column go into the scenario and come back on export (they used to be dropped with a warning)."""
    rows = read_rows(mini_csv)
    rows[0].append("Questions/Comments")
    for row in rows[1:]:
        row.append("")
    entries = {
        "Expected Player Action": "Seats discuss consultation under US-ROK Art. II", "Inject Mode": "Email", "From": "KCNA",
        "Objective/Core Capability": "Obj 2: consultation", "Responsible Controller": "J. Smith", "Actual Time": "09:12",
        "Questions/Comments": "Who speaks first?",
    }
    for column, value in entries.items():
        set_cell(rows, 3, column, value)
    edited, out, again = tmp_path / "kept.csv", tmp_path / "kept.yaml", tmp_path / "again.csv"
    write_rows(edited, rows)
    assert cli.main(["msel", "import", str(edited), "--scenario", str(MINI), "-o", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err
    scenario = load_scenario(out)[0]
    threat = scenario.inject("threat")
    assert threat.expected_actions == ("Seats discuss consultation under US-ROK Art. II",)
    assert threat.objectives == ("obj-2-consultation",)  # an objective in words joins the scenario's objectives
    assert [(o.id, o.text) for o in scenario.objectives] == [("obj-2-consultation", "Obj 2: consultation")]
    assert (threat.msel.mode, threat.msel.sender, threat.msel.objective, threat.msel.controller, threat.msel.actual) == (
        "Email", "KCNA", "Obj 2: consultation", "J. Smith", "09:12")
    assert dict(threat.msel.kept) == {"Questions/Comments": "Who speaks first?"}
    assert cli.main(["msel", "export", str(out), "-o", str(again)]) == 0
    exported = read_rows(again)
    assert exported[0][-1] == "Questions/Comments"
    for column, value in entries.items():
        assert exported[2][exported[0].index(column)] == value  # spreadsheet row 3
    assert [r[exported[0].index("Inject Mode")] for r in exported[1:]] == ["", "Email", "", ""]


def test_expected_player_actions_are_stored_one_a_line(tmp_path, mini_csv, capsys):
    rows = read_rows(mini_csv)
    set_cell(rows, 3, "Expected Player Action", "Seats discuss consultation under US-ROK Art. II\nJapan asks for Art. IV talks")
    edited, out = tmp_path / "expected.csv", tmp_path / "expected.yaml"
    write_rows(edited, rows)
    assert cli.main(["msel", "import", str(edited), "--scenario", str(MINI), "-o", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err
    injects = load_scenario(out)[0].injects
    assert injects[1].expected_actions == ("Seats discuss consultation under US-ROK Art. II", "Japan asks for Art. IV talks")


def test_an_objective_the_scenario_does_not_define_is_placed_at_its_cell(tmp_path, mini_csv, capsys):
    rows = read_rows(mini_csv)
    set_cell(rows, 3, "Objective/Core Capability", "obj-nowhere")
    problems = import_problems(tmp_path, rows, capsys)
    assert any(re.search(r"bad\.csv:3:10: column J \(Objective/Core Capability\): undefined objective 'obj-nowhere'", p) for p in problems), problems


NEA = ROOT / "scenarios" / "nea-2024.yaml"


def row_of(rows: list[list[str]], inject_id: str) -> dict[str, str]:
    header = rows[0]
    found = [r for r in rows[1:] if r[header.index("Inject ID")] == inject_id and r[header.index("Event Type")] in ("Inject", "Contingency inject")]
    return dict(zip(header, found[0], strict=True))


def test_export_fills_from_expected_actions_and_objectives_from_the_inject(tmp_path):
    out = tmp_path / "nea.csv"
    assert cli.main(["msel", "export", str(NEA), "-o", str(out)]) == 0
    row = row_of(read_rows(out), "press-axis")
    assert row["From"] == "press"
    assert row["Objective/Core Capability"] == "obj-signals, obj-sources"
    assert row["Expected Player Action"] == "China answers on the record: whether there is an axis, and what the 1961 treaty still means"
    press = load_scenario(NEA)[0].inject("press-axis")
    assert (press.sender, press.objectives, press.msel.sender, press.msel.objective) == ("press", ("obj-signals", "obj-sources"), "", "")


def test_a_sender_and_objectives_named_in_words_keep_their_spelling_while_they_still_name_the_same(tmp_path, capsys):
    first, out, again = tmp_path / "nea.csv", tmp_path / "nea.yaml", tmp_path / "again.csv"
    assert cli.main(["msel", "export", str(NEA), "-o", str(first)]) == 0
    rows = read_rows(first)
    at = next(i for i, r in enumerate(rows) if r[rows[0].index("Inject ID")] == "freedom-edge-1") + 1
    set_cell(rows, at, "From", "Press Pool")  # the control cell by its name
    objectives = load_scenario(NEA)[0].objectives
    set_cell(rows, at, "Objective/Core Capability", f"{objectives[0].text}\nCommunications")  # by its text, and one in words it lacks
    write_rows(first, rows)
    assert cli.main(["msel", "import", str(first), "--scenario", str(NEA), "-o", str(out)]) == 0
    assert "objective 'Communications' added to the scenario's objectives as 'obj-communications'" in capsys.readouterr().err
    scenario = load_scenario(out)[0]
    edge = scenario.inject("freedom-edge-1")
    assert (edge.sender, edge.msel.sender) == ("press", "Press Pool")
    assert edge.objectives == (objectives[0].id, "obj-communications")
    assert scenario.objectives == (*objectives, scenario.objectives[-1]) and scenario.objectives[-1].text == "Communications"
    assert cli.main(["msel", "export", str(out), "-o", str(again)]) == 0
    row = row_of(read_rows(again), "freedom-edge-1")
    assert (row["From"], row["Objective/Core Capability"]) == ("Press Pool", f"{objectives[0].text}\nCommunications")
    # Once the scenario says otherwise, export writes what it says.
    text = out.read_text(encoding="utf-8")
    at = text.index("  - id: freedom-edge-1\n")
    assert text.index("    from: press\n", at) < text.index("  - id:", at + 1)
    out.write_text(text[:at] + text[at:].replace("    from: press\n", "    from: unsc-president\n", 1), encoding="utf-8")
    assert cli.main(["msel", "export", str(out), "-o", str(again)]) == 0
    assert row_of(read_rows(again), "freedom-edge-1")["From"] == "unsc-president"


def test_a_planners_objectives_become_the_new_scenarios_objectives(tmp_path, capsys):
    sheet, out = tmp_path / "obj.csv", tmp_path / "obj.yaml"
    write_rows(sheet, [
        ["Event #", "Time", "To", "Event Description", "Expected Player Action", "Objective"],
        ["1", "2025-05-14 09:00", "County EOC", "Flood watch issued.", "EOC reviews plans\n\nEOC calls the PIO", "Obj 1: Operational Coordination"],
        ["2", "2025-05-14 10:00", "PIO", "A reporter calls.", "", "Obj 2: Public Information; obj 1: operational coordination"],
        ["3", "2025-05-14 11:00", "PIO", "The reporter calls again.", "", "-"],
    ])
    assert cli.main(["msel", "import", str(sheet), "-o", str(out)]) == 0
    scenario = load_scenario(out)[0]
    assert [(o.id, o.text) for o in scenario.objectives] == [
        ("obj-1-operational-coordination", "Obj 1: Operational Coordination"), ("obj-2-public-information", "Obj 2: Public Information")]
    watch, call, again = scenario.injects
    assert watch.expected_actions == ("EOC reviews plans", "EOC calls the PIO")
    assert call.objectives == ("obj-2-public-information", "obj-1-operational-coordination")
    assert call.msel.objective == "Obj 2: Public Information; obj 1: operational coordination"
    assert (again.objectives, again.msel.objective) == ((), "-")  # a planner's "none": no objective, kept as written
    exported = tmp_path / "obj-again.csv"
    assert cli.main(["msel", "export", str(out), "-o", str(exported)]) == 0
    assert [msel.restore(row_of(read_rows(exported), i.id)["Objective/Core Capability"]) for i in scenario.injects] == [
        "Obj 1: Operational Coordination", "Obj 2: Public Information; obj 1: operational coordination", "-"]


def test_contingency_and_standby_both_mean_a_standby_inject(tmp_path, mini_csv):
    rows = read_rows(mini_csv)
    set_cell(rows, 5, "Event Type", "standby")
    edited = tmp_path / "standby.csv"
    write_rows(edited, rows)
    assert msel.import_csv(edited, MINI).scenario.inject("standby-strike").standby


# --- errors -----------------------------------------------------------------------


def import_problems(tmp_path, rows, capsys, base=MINI) -> list[str]:
    edited, out = tmp_path / "bad.csv", tmp_path / "bad.yaml"
    write_rows(edited, rows)
    args = ["msel", "import", str(edited), "-o", str(out)] + (["--scenario", str(base)] if base else [])
    assert cli.main(args) == 1
    assert not out.exists(), "nothing is written when the sheet has problems"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line]


def test_errors_name_spreadsheet_row_and_column(tmp_path, mini_csv, capsys):
    rows = read_rows(mini_csv)
    set_cell(rows, 2, "To", "dprk, mars")  # F
    set_cell(rows, 3, "Designated Scenario Time", "1/5/2025")  # B
    set_cell(rows, 4, "Source", "nowhere")  # P
    set_cell(rows, 5, "Facts", "[{kind: armed_attack, by: us")  # S
    found = import_problems(tmp_path, rows, capsys)
    path = str(tmp_path / "bad.csv")
    assert found == [
        f"{path}:2:6: column F (To): undefined seat 'mars' in to:; expected all or one of: china, dprk, japan, rok, russia, us",
        f"{path}:3:2: column B (Designated Scenario Time): expected a date like 2024-11-05 for date, got '1/5/2025'; "
        "if a spreadsheet turned it into its own date format, format the column as text and type the date again",
        f"{path}:4:16: column P (Source): undefined source 'nowhere'; expected a key under 'sources'",
        f"{path}:5:19: column S (Facts): YAML syntax: did not find expected ',' or '}}' (while parsing a flow mapping); "
        "expected YAML like [{kind: missile_test, by: dprk}]",
    ]


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (2, "Designated Scenario Time", "2025-02-30", r":2:2: column B .*expected a date like 2024-11-05 for date, got '2025-02-30'"),
        (2, "Designated Scenario Time", "2025-03-01", r":2:2: column B .*dates out of order: inject 'missile' is dated 2025-03-01, outside turn 1"),
        (3, "Designated Scenario Time", "2025-01-01", r":3:2: column B .*dates out of order: inject 'threat'"),
        (2, "Event Type", "Exercise", r":2:3: column C \(Event Type\): expected 'Inject' or 'Contingency inject'"),
        (2, "Event Synopsis", "", r":2:7: column G \(Event Synopsis\): empty; every inject needs a title"),
        (2, "Inject ID", "Not An Id", r":2:14: column N \(Inject ID\): expected an id for the inject"),
        (3, "Inject ID", "missile", r":3:14: column N \(Inject ID\): duplicate inject id 'missile'"),
        (2, "Turn", "three", r":2:15: column O \(Turn\): expected a whole number for turn, got 'three'"),
        (2, "Turn", "7", r":2:15: column O \(Turn\): undefined turn 7 for inject 'missile'"),
        (2, "Source", "", r":2:16: column P \(Source\): empty; every inject cites a key under 'sources' of the scenario \(ref-treaties\)"),
        (2, "Hypothetical", "maybe", r":2:18: column R \(Hypothetical\): expected yes or no, got 'maybe'"),
        (2, "Facts", "[{kind: fnord}]", r":2:19: column S \(Facts\): unknown fact kind 'fnord'"),
        (2, "Facts", "[{kind: threat, by: dprk, target: atlantis}]", r":2:19: column S \(Facts\): undefined state 'atlantis' for target"),
        (2, "Facts", "missile", r":2:19: column S \(Facts\): expected a list of facts like \[\{kind: missile_test, by: dprk\}\], got 'missile'"),
        (2, "Effects", "{tension: 1, credibility: 2}", r":2:20: column T \(Effects\): expected a map of seats for credibility in an inject"),
        (2, "Effects", "{tension: 1, posture: {us: panic}}", r":2:20: column T \(Effects\): undefined posture 'panic'"),
        (2, "Effects", "[1]", r":2:20: column T \(Effects\): expected a mapping of effects"),
    ],
)
def test_each_kind_of_error_is_placed(tmp_path, mini_csv, capsys, row, column, value, expected):
    rows = read_rows(mini_csv)
    set_cell(rows, row, column, value)
    found = import_problems(tmp_path, rows, capsys)
    assert any(re.search(expected, line) for line in found), found
    assert all(re.match(r".*bad\.csv:\d+:\d+: ", line) for line in found), found


def test_a_missing_column_is_reported_on_the_header_row(tmp_path, mini_csv, capsys):
    turn = msel.HEADER.index("Turn")
    rows = [r[:turn] + r[turn + 1 :] for r in read_rows(mini_csv)]
    found = import_problems(tmp_path, rows, capsys)
    assert len(found) == 1 and re.match(r".*bad\.csv:1:21: missing column 'Turn'", found[0])


def test_without_a_base_the_scenario_column_must_name_a_known_scenario(tmp_path, mini_csv, capsys):
    found = import_problems(tmp_path, read_rows(mini_csv), capsys, base=None)
    assert len(found) == 1
    # The words every command uses for a scenario that is not there (paths.scenario_not_found), then what to do.
    assert re.match(r".*bad\.csv:2:21: column U \(Scenario\): no scenario 'mini': not a file, nor a bundled or user scenario "
                    r"\(known: nea-2024, nll-2025\); pass --scenario BASE \(the scenario file\)$", found[0]), found[0]


def test_rows_naming_two_scenarios_need_a_base(tmp_path, mini_csv, capsys):
    rows = read_rows(mini_csv)
    set_cell(rows, 4, "Scenario", "nea-2024")
    found = import_problems(tmp_path, rows, capsys, base=None)
    assert re.match(r".*bad\.csv:4:21: column U \(Scenario\): rows name different scenarios", found[0])


def test_bad_bytes_and_bad_quoting_are_reported_not_raised(tmp_path, capsys):
    # Windows-1252 (what Excel saves on Western Windows) is read as such, and the summary says so ...
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(msel.HEADER).encode() + b"\r\n1,2025-01-02,Inject,,,all,Caf\xe9,A test.,,,,,,missile,1,ref-treaties,,no,,,mini\r\n")
    result = msel.import_csv(latin, MINI)
    assert result.scenario.injects[0].title == "Caf\u00e9"
    assert any("read as cp1252" in line for line in result.report)
    # ... and where the map file names the encoding, a byte it cannot decode is placed
    told = tmp_path / "utf8.map.yaml"
    told.write_text("encoding: utf-8\n")
    with pytest.raises(InputError) as info:
        msel.import_file(latin, MINI, mapping=told)
    assert re.match(r".*latin\.csv:2:\d+: invalid UTF-8", str(info.value.problems[0]))
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(",".join(msel.HEADER) + '\r\n1,"2025-01-02"x,Inject\r\n', encoding="utf-8")
    assert cli.main(["msel", "import", str(quoted), "--scenario", str(MINI)]) == 1
    assert re.search(r"quoted\.csv:2:1: malformed CSV", capsys.readouterr().err)


def test_an_unknown_scenario_or_base_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["msel", "export", "no-such-scenario", "-o", str(tmp_path / "x.csv")]) == 2
    assert cli.main(["msel", "import", str(tmp_path / "x.csv"), "--scenario", "no-such-scenario"]) == 2
    assert "no scenario 'no-such-scenario'" in capsys.readouterr().err


def test_an_invalid_scenario_is_not_exported(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI.read_text().replace("turn: 2\n    date: 2025-01-12", "turn: two\n    date: 2025-01-12"))
    assert cli.main(["msel", "export", str(broken), "-o", str(tmp_path / "x.csv")]) == 1
    assert "expected a whole number for turn" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_msel_does_not_import_textual():
    code = "import sys, tabletop.msel\nassert not [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_column_letters():
    assert [msel.column_letter(n) for n in (1, 2, 26, 27, 52, 53, 702, 703)] == ["A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
