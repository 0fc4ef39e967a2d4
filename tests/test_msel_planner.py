"""Importing MSELs as planners keep them: header names, title rows, merged cells, sheets, times, event types.

Each test builds its spreadsheet (tests/msel_files.py), imports it through the
command line as a facilitator would, and looks at the scenario that results.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from tabletop import cli, msel
from tabletop.loading import load_scenario
from tabletop.msel import layout

from . import msel_files as files
from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [ROOT / "scenarios" / "nea-2024.yaml", ROOT / "scenarios" / "nll-2025.yaml"]


def imported(tmp_path: Path, sheet: Path, *extra: str, name: str = "out.yaml"):
    out = tmp_path / name
    assert cli.main(["msel", "import", str(sheet), "-o", str(out), *extra]) == 0
    assert cli.main(["validate", str(out)]) == 0
    return load_scenario(out)[0], out


def problems(capsys, *args: str) -> list[str]:
    code = cli.main(["msel", "import", *args])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]


# --- a planner's workbook -----------------------------------------------------------


def test_a_planners_workbook_becomes_a_scenario_that_keeps_every_cell(tmp_path, capsys):
    sheet = files.flood_workbook(tmp_path / "flood.xlsx")
    scenario, out = imported(tmp_path, sheet)
    err = capsys.readouterr().err
    assert "skipped sheet 'Instructions': no MSEL header" in err
    assert "sheet 'MSEL': header on row 4" in err
    assert "'Send To (Recipient Players)' -> to" in err and "'Injected By (Responsible Controller)' -> controller" in err
    # the title rows above the header
    assert scenario.title == "Riverside County Flood TTX"
    assert scenario.setting == "Master Scenario Events List, 14 May 2025"
    # the phase rows (merged across the sheet) are the turns; the blank rows between them are nothing
    assert [t.title for t in scenario.turns] == ["Phase 1: Warning", "Phase 2: Response"]
    # a seat per recipient group, named as the sheet names it; "All Players" is everyone
    assert {s.id: (s.name, s.kind) for s in scenario.seats.values()} == {
        "county-eoc": ("County EOC", "organization"), "public-works": ("Public Works", "organization"), "pio": ("PIO", "organization"),
    }
    assert scenario.options == {} and all(scenario.free_text(s) for s in scenario.seats)
    by_id = {i.id: i for i in scenario.injects}
    assert list(by_id) == ["inject-1", "inject-2", "inject-3", "inject-4", "inject-7"]
    first = by_id["inject-1"]
    assert (first.date, first.time, first.to) == (dt.date(2025, 5, 14), dt.time(9, 0), ("county-eoc",))
    assert first.text.startswith("The National Weather Service issues a flood watch") and first.title.endswith("river basin.")
    assert first.expected_actions == ("EOC reviews flood plans",)
    assert (first.msel.time, first.msel.mode, first.msel.sender, first.msel.controller) == ("0.375", "Email", "NWS", "J. Smith")
    assert first.note == "Is the EOC staffed?"
    second = by_id["inject-2"]
    assert second.to == ("county-eoc", "public-works") and second.msel.type == "Simulation"
    assert [(a.kind, a.text, a.when, a.to, a.msel.type, a.msel.time) for a in second.actions] == [
        ("expected", "Public Works deploys sandbag teams", "09:45", "Public Works", "Player Action", "0945")]
    assert by_id["inject-3"].offset == dt.timedelta(hours=2) and by_id["inject-3"].to == ("all",)
    contingency = by_id["inject-4"]
    assert contingency.standby and contingency.time == dt.time(11, 15) and contingency.msel.time == "11:15 AM"
    assert [(a.kind, a.msel.number) for a in contingency.actions] == [("controller", "5"), ("expected", "6")]
    assert contingency.actions[0].when == "2025-05-14 12:00" and contingency.actions[0].msel.time == "45791.5"
    assert by_id["inject-7"].to == ("county-eoc", "pio") and by_id["inject-7"].time == dt.time(14, 0)
    assert "open-response" in out.read_text(encoding="utf-8")


def test_the_imported_scenario_round_trips_through_csv_and_xlsx(tmp_path, capsys):
    scenario, first = imported(tmp_path, files.flood_workbook(tmp_path / "flood.xlsx"))
    for suffix in ("csv", "xlsx"):
        sheet, again, twice = tmp_path / f"out.{suffix}", tmp_path / f"again-{suffix}.yaml", tmp_path / f"twice.{suffix}"
        assert cli.main(["msel", "export", str(first), "-o", str(sheet)]) == 0
        assert cli.main(["msel", "import", str(sheet), "--scenario", str(first), "-o", str(again)]) == 0
        assert again.read_bytes() == first.read_bytes(), f"the {suffix} round trip changed the scenario file"
        assert cli.main(["msel", "export", str(again), "-o", str(twice)]) == 0
        if suffix == "csv":
            assert twice.read_bytes() == sheet.read_bytes()
    # written anew (no inject text to keep), the injects still read back the same
    text = first.read_text(encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[: text.index("\ninjects:")] + "\ninjects: []\n" + text[text.index("\n# No option menus"):], encoding="utf-8")
    rewritten = tmp_path / "rewritten.yaml"
    assert cli.main(["msel", "import", str(tmp_path / "out.csv"), "--scenario", str(bare), "-o", str(rewritten)]) == 0
    assert msel.same_injects(load_scenario(rewritten)[0], scenario)
    assert load_scenario(rewritten)[0].injects == scenario.injects


@pytest.mark.parametrize("scenario", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenarios_round_trip_through_xlsx(tmp_path, scenario):
    sheet, out = tmp_path / "msel.xlsx", tmp_path / "s.yaml"
    assert cli.main(["msel", "export", str(scenario), "-o", str(sheet)]) == 0
    assert cli.main(["msel", "import", str(sheet), "-o", str(out)]) == 0  # the Scenario column finds the bundled base
    assert out.read_bytes() == scenario.read_bytes()


def test_export_does_not_add_what_the_loader_infers(tmp_path):
    """#16 item 7: a threat's location is inferred from its target on loading; export writes the fact as the file does."""
    sheet = tmp_path / "nea.csv"
    assert cli.main(["msel", "export", "nea-2024", "-o", str(sheet)]) == 0
    with sheet.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    row = next(r for r in rows if r[header.index("Inject ID")] == "hyp-art3-request")
    assert "location" not in row[header.index("Facts")]
    assert load_scenario(BUNDLED[0])[0].inject("hyp-art3-request").facts[0].location == "dprk"  # what the loader infers
    row[header.index("Event Synopsis")] += " (edited)"  # edited, the inject is written anew: still no location
    with (tmp_path / "edited.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "edited.yaml"
    assert cli.main(["msel", "import", str(tmp_path / "edited.csv"), "-o", str(out)]) == 0
    base, written = BUNDLED[0].read_text(encoding="utf-8").splitlines(), out.read_text(encoding="utf-8").splitlines()
    changed = [line for line in written if line not in base]
    assert any("(edited)" in line for line in changed)
    assert not any("location: dprk" in line for line in changed)
    assert len(written) - len(base) < 8, "only the edited inject is written anew"


# --- header names -------------------------------------------------------------------

HEADERS = {
    "hseep": ["Event #", "Event Time", "Event Type", "Send To\n(Recipient Players)", "Event Description", "Expected Outcomes",
              "Injected By (Responsible Controller)", "Questions/Comments"],
    "shouting": ["EVENT #", "Time", "Type", "To", "Event Synopsis", "Expected Player Action", "Controller", "Notes"],
    "msel-number": ["MSEL Number", "Date/Time", "Category", "Recipients", "Inject", "Expected Outcomes", "Responsible Controller", "Comments"],
    "inject-no": ["Inject No.", "TIME", "EVENT TYPE", "SEND TO - RECIPIENT PLAYERS", "event   description", "expected player action",
                  "Injected By", "Questions / Comments"],
}


@pytest.mark.parametrize("style", HEADERS)
def test_header_names_planners_use_map_to_the_same_fields(tmp_path, style, capsys):
    rows = [[7, "0930", "Inject", "Hospital", "Power fails at the hospital.", "Hospital activates its generator plan", "K. Ito", "Backup fuel?"]]
    sheet = files.workbook(tmp_path / f"{style}.xlsx", [{"name": "MSEL", "header": HEADERS[style], "rows": rows}])
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-03-03")
    (inject,) = scenario.injects
    assert (inject.id, inject.time, inject.to, inject.text, inject.expected_actions, inject.msel.controller, inject.note) == (
        "inject-7", dt.time(9, 30), ("hospital",), "Power fails at the hospital.", ("Hospital activates its generator plan",), "K. Ito", "Backup fuel?")
    assert "kept as extra columns" not in capsys.readouterr().err


def test_every_header_name_the_issue_lists_is_known():
    expected = {
        "Event #": "number", "EVENT #": "number", "MSEL Number": "number", "Inject No.": "number",
        "Event Time": "time", "Time": "time", "Date/Time": "time", "Send To\n(Recipient Players)": "to",
        "Event Description": "text", "Event Synopsis": "title", "Inject": "text", "Expected Outcomes": "expected",
        "Expected Player Action": "expected", "Injected By (Responsible Controller)": "controller", "Questions/Comments": "note",
        "Inject Mode": "mode", "From": "sender", "Responsible Controller": "controller",
    }
    assert {name: layout.field_of_header(name) for name in expected} == expected
    assert layout.field_of_header("Weather at the EOC") is None


def test_a_sheet_with_only_a_synopsis_or_only_a_description_gets_a_title(tmp_path):
    long = ("A freight train carrying chlorine derails at the Main Street crossing near the elementary school, and a "
            "plume drifts east. Residents call 911.")
    sheet = files.workbook(tmp_path / "derail.xlsx", [{"name": "MSEL", "header": ["No.", "Time", "Description"], "rows": [[1, "0800", long]]}])
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-03-03")
    inject = scenario.injects[0]
    assert inject.text == long
    assert inject.title.startswith("A freight train carrying chlorine derails") and len(inject.title) <= 80


def test_unknown_and_unnamed_columns_are_kept_and_exported(tmp_path):
    sheet = files.workbook(tmp_path / "extra.xlsx", [{"name": "MSEL", "header": ["#", "Time", "Event Description", "Weather", None, "Owner Phone"],
                                                       "rows": [[1, "0800", "Sirens sound.", "Rain", "spare note", "555-0100"]]}])
    scenario, out = imported(tmp_path, sheet, "--start", "2025-03-03")
    assert dict(scenario.injects[0].msel.kept) == {"Weather": "Rain", "Column E": "spare note", "Owner Phone": "555-0100"}
    exported = tmp_path / "extra.csv"
    assert cli.main(["msel", "export", str(out), "-o", str(exported)]) == 0
    with exported.open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f))
    assert header[-3:] == ["Weather", "Column E", "Owner Phone"] and row[-3:] == ["Rain", "spare note", "'555-0100"[1:]]


# --- times --------------------------------------------------------------------------

TIMES = [
    # cell, date, time, offset, kept as written
    (0.4583, "2024-10-31", "11:00", None, "0.4583"),
    (45596.375, "2024-10-31", "09:00", None, "45596.375"),
    ("0900", "2024-10-31", "09:00", None, "0900"),
    ("9:30 AM", "2024-10-31", "09:30", None, "9:30 AM"),
    ("09:00-09:30", "2024-10-31", "09:00", None, "09:00-09:30"),
    ("T+00:30", None, None, 30, ""),
    ("+45 min", None, None, 45, "+45 min"),
    ("H+2", None, None, 120, "H+2"),
    ("STARTEX", None, None, 0, "STARTEX"),
    ("Day 2 1400", "2024-11-01", "14:00", None, "Day 2 1400"),
    ("D+1 0800", "2024-11-01", "08:00", None, "D+1 0800"),
    ("10/31/2024 2:00 PM", "2024-10-31", "14:00", None, "10/31/2024 2:00 PM"),
    ("31 Oct 2024", "2024-10-31", None, None, "31 Oct 2024"),
    ("2024-10-31 16:45", "2024-10-31", "16:45", None, ""),
    (dt.time(13, 5), "2024-10-31", "13:05", None, ""),
    (dt.datetime(2024, 10, 31, 15, 0), "2024-10-31", "15:00", None, ""),
    (dt.timedelta(hours=1, minutes=15), None, None, 75, "1:15"),
    (930, "2024-10-31", "09:30", None, "930"),
]


@pytest.mark.parametrize(("cell", "date", "clock", "minutes", "kept"), TIMES, ids=lambda v: repr(v)[:24])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_every_time_format_becomes_scenario_time(tmp_path, kind, cell, date, clock, minutes, kept):
    if kind == "csv" and not isinstance(cell, (str, int, float)):
        pytest.skip("a CSV holds text only")
    rows = [[1, cell, "Sirens sound across the county."]]
    header = ["Event #", "Time", "Event Description"]
    if kind == "xlsx":
        formats = {"B2": "[h]:mm"} if isinstance(cell, dt.timedelta) else {}
        sheet = files.workbook(tmp_path / "t.xlsx", [{"name": "MSEL", "header": header, "rows": rows, "formats": formats}])
    else:
        sheet = files.write_csv(tmp_path / "t.csv", [header] + rows)
    scenario, _ = imported(tmp_path, sheet, "--start", "2024-10-31")
    inject = scenario.injects[0]
    expected_date = dt.date.fromisoformat(date) if date else dt.date(2024, 10, 31) + dt.timedelta(minutes=minutes or 0) // dt.timedelta(days=1) * dt.timedelta(days=1)
    assert inject.date == expected_date
    assert (inject.time.strftime("%H:%M") if inject.time else None) == clock
    assert inject.offset == (dt.timedelta(minutes=minutes) if minutes is not None else None)
    if kind == "csv" or not isinstance(cell, (dt.time, dt.datetime, dt.timedelta)):
        assert inject.msel.time == kept


def test_a_date_column_and_a_time_column_make_one_time(tmp_path):
    sheet = files.write_csv(tmp_path / "two.csv", [["Event #", "Date", "Time", "Event Description"],
                                                    [1, "Day 1", "0800", "Briefing starts."], [2, "Day 2", "0915", "Hospital at capacity."]])
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-06-02")
    assert [(i.date, i.time) for i in scenario.injects] == [(dt.date(2025, 6, 2), dt.time(8, 0)), (dt.date(2025, 6, 3), dt.time(9, 15))]
    assert [t.title for t in scenario.turns] == ["Day 1 (2025-06-02)", "Day 2 (2025-06-03)"]


def test_the_1904_date_system_of_old_mac_workbooks(tmp_path):
    # 44134.375 days after 1904-01-01 is 2024-10-31 09:00
    sheet = files.workbook(tmp_path / "mac.xlsx", [{"name": "MSEL", "header": ["#", "Time", "Event Description"], "rows": [[1, 44134.375, "Sirens."]]}],
                           epoch_1904=True)
    scenario, _ = imported(tmp_path, sheet)
    assert (scenario.injects[0].date, scenario.injects[0].time) == (dt.date(2024, 10, 31), dt.time(9, 0))


def test_slash_dates_are_read_day_first_when_the_sheet_shows_it(tmp_path, capsys):
    header = ["#", "Date/Time", "Event Description"]
    sheet = files.write_csv(tmp_path / "uk.csv", [header, [1, "31/10/2024 09:00", "Sirens."], [2, "01/11/2024 10:00", "Floods."]])
    scenario, _ = imported(tmp_path, sheet)
    assert [i.date for i in scenario.injects] == [dt.date(2024, 10, 31), dt.date(2024, 11, 1)]
    mixed = files.write_csv(tmp_path / "mixed.csv", [header, [1, "31/10/2024", "Sirens."], [2, "10/31/2024", "Floods."]])
    found = problems(capsys, str(mixed), "-o", str(tmp_path / "x.yaml"))
    assert len(found) == 1 and re.match(r".*mixed\.csv:2:2: column B \(Date/Time\): dates are written both day first", found[0])
    ambiguous = files.write_csv(tmp_path / "amb.csv", [header, [1, "03/04/2025", "Sirens."]])
    told = tmp_path / "amb.map.yaml"
    told.write_text("dates: day-first\n")
    assert imported(tmp_path, ambiguous, "--map", str(told))[0].injects[0].date == dt.date(2025, 4, 3)
    assert imported(tmp_path, ambiguous, name="us.yaml")[0].injects[0].date == dt.date(2025, 3, 4)


def test_a_time_that_reads_as_none_is_placed(tmp_path, capsys):
    sheet = files.workbook(tmp_path / "bad.xlsx", [{"name": "Day 1", "header": ["#", "Time", "Event Description"],
                                                     "rows": [[1, "0900", "Sirens."], [2, "after lunch", "Floods."], [3, 1.5, "Rain."]]}])
    found = problems(capsys, str(sheet), "--start", "2025-01-01")
    assert len(found) == 2
    assert re.match(r".*bad\.xlsx:3:2: sheet 'Day 1', column B \(Time\): expected a time like 09:00, 0900, 9:00 AM.*got 'after lunch'$", found[0])
    assert re.match(r".*bad\.xlsx:4:2: sheet 'Day 1', column B \(Time\): the number 1\.5 is neither a time of day", found[1])


# --- event types ----------------------------------------------------------------------


def test_each_event_type_becomes_what_the_engine_knows(tmp_path):
    rows = [
        [1, "0900", "Inject", "EOC", "Flood watch issued."],
        [2, "0910", "Simulation", "EOC", "SimCell calls as the mayor."],
        [3, "0920", "Actor Action", "EOC", "A resident role player arrives at the shelter."],
        [4, "0930", "Player Action", "EOC", "EOC opens the shelter."],
        [5, "0940", "Expected Action", "EOC", "EOC briefs the PIO."],
        [6, "0950", "Controller Action", None, "Controller plays the 911 audio."],
        [7, "1000", "Contingency", "EOC", "If the shelter is not opened: the mayor calls again."],
        [8, "1010", None, "EOC", "Roads close."],
        [9, "1020", "Media Inject", "EOC", "A TV crew asks for an interview."],
    ]
    sheet = files.write_csv(tmp_path / "types.csv", [["#", "Time", "Event Type", "To", "Event Description"]] + rows)
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-01-01")
    assert [(i.id, i.standby) for i in scenario.injects] == [
        ("inject-1", False), ("inject-2", False), ("inject-3", False), ("inject-7", True), ("inject-8", False), ("inject-9", False)]
    third = scenario.inject("inject-3")
    assert [(a.kind, a.msel.number, a.text) for a in third.actions] == [
        ("expected", "4", "EOC opens the shelter."), ("expected", "5", "EOC briefs the PIO."), ("controller", "6", "Controller plays the 911 audio.")]
    assert [i.msel.type for i in scenario.injects] == ["", "Simulation", "Actor Action", "Contingency", "", "Media Inject"]


def test_an_unknown_event_type_is_placed_and_a_map_file_fixes_it(tmp_path, capsys):
    rows = [["#", "Time", "Event Type", "Event Description"], [1, "0900", "STARTEX", "Exercise begins."], [2, "0905", "Hot Take", "A columnist posts."]]
    sheet = files.write_csv(tmp_path / "odd.csv", rows)
    guessed = tmp_path / "odd.map.yaml"
    found = problems(capsys, str(sheet), "--start", "2025-01-01", "--write-map", str(guessed), "-o", str(tmp_path / "x.yaml"))
    assert len(found) == 1
    assert re.match(r".*odd\.csv:3:3: column C \(Event Type\): expected 'Inject' or 'Contingency inject'.*got 'Hot Take'; map it under event_types:", found[0])
    text = guessed.read_text(encoding="utf-8")
    assert '"STARTEX": controller' in text and "Hot Take" not in text
    guessed.write_text(text.replace("event_types:\n", 'event_types:\n  "Hot Take": inject\n'), encoding="utf-8")
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-01-01", "--map", str(guessed))
    assert [i.title for i in scenario.injects] == ["A columnist posts."]
    assert scenario.injects[0].actions[0].before  # the STARTEX row above the first inject stays above it on export
    assert scenario.injects[0].actions[0].kind == "controller"


# --- layout of the sheet ----------------------------------------------------------------


def test_merged_cells_down_the_sheet_fill_each_row(tmp_path):
    header = ["Module", "#", "Time", "From", "To", "Event Description"]
    rows = [
        ["Module 1: Detection", 1, "0900", "SOC analyst", "IT Security", "Phishing emails reach staff."],
        [None, 2, "0915", None, "IT Security", "A laptop beacons to an unknown host."],
        [None, 3, "0930", None, "Legal", "A vendor reports a breach."],
        ["Module 2: Containment", 4, "1030", "Vendor", "IT Security", "Ransom note appears on file servers."],
        [None, 5, "1045", None, "Executives", "The board asks whether to pay."],
    ]
    sheet = files.workbook(tmp_path / "cyber.xlsx", [{"name": "MSEL", "header": header, "rows": rows, "merges": ["A2:A4", "D2:D4", "A5:A6", "D5:D6"]}])
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-02-10")
    assert [t.title for t in scenario.turns] == ["Module 1: Detection", "Module 2: Containment"]
    assert [(i.turn, i.msel.sender) for i in scenario.injects] == [(1, "SOC analyst")] * 3 + [(2, "Vendor")] * 2
    assert set(scenario.seats) == {"it-security", "legal", "executives"}


def test_several_sheets_are_several_turns_and_the_others_are_skipped(tmp_path, capsys):
    header = ["Event #", "Time", "To", "Event Description"]
    sheet = files.workbook(tmp_path / "days.xlsx", [
        {"name": "Cover", "rows": [["Hurricane Ida TTX"], ["Prepared by the county"]]},
        {"name": "Day 1", "titles": ["Day 1: landfall"], "header": header, "rows": [[1, "0800", "EOC", "Landfall."], [2, "1000", "EOC", "Power out."]]},
        {"name": "Day 2", "header": header, "rows": [[3, "0800", "Shelters", "Shelters full."]]},
        {"name": "Old MSEL", "header": header, "rows": [[1, "0700", "EOC", "Superseded."]], "hidden": True},
        {"name": "Lookups", "rows": [["Email"], ["Phone"], ["Radio"]]},
    ])
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-08-29")
    err = capsys.readouterr().err
    assert "skipped sheet 'Cover'" in err and "skipped sheet 'Old MSEL': hidden" in err and "skipped sheet 'Lookups'" in err
    assert [t.title for t in scenario.turns] == ["Day 1", "Day 2"]
    assert [(i.turn, i.title) for i in scenario.injects] == [(1, "Landfall."), (1, "Power out."), (2, "Shelters full.")]


def test_a_map_file_names_the_sheet_and_header_row_and_maps_columns_and_recipients(tmp_path, capsys):
    rows = [[1, "0800", "Hospital A", "Generators fail."], [2, "0830", "Hospital A, Red Cross", "Patients need moving."]]
    sheet = files.workbook(tmp_path / "hosp.xlsx", [
        {"name": "Notes", "header": ["#", "Time", "Addressed", "Event Description"], "rows": [[9, "0700", "X", "Not this one."]]},
        {"name": "Final", "titles": ["Hospital surge TTX"], "header": ["#", "Time", "Addressed", "Event Description"], "rows": rows},
    ])
    told = tmp_path / "hosp.map.yaml"
    told.write_text(
        'sheets:\n  - name: Final\n    header: 3\n    columns: {"Addressed": to, "#": ignore}\n'
        'recipients: {"Hospital A": hospital, "Red Cross": all}\nstart: 2025-04-01\nid: hospital-surge\n', encoding="utf-8")
    scenario, _ = imported(tmp_path, sheet, "--map", str(told))
    assert scenario.id == "hospital-surge" and list(scenario.seats) == ["hospital"]
    assert [i.to for i in scenario.injects] == [("hospital",), ("all",)]
    assert [i.id for i in scenario.injects] == ["generators-fail", "patients-need-moving"]  # '#' ignored: ids from titles
    assert "left out (the map says ignore): A '#'" in capsys.readouterr().err


def test_a_map_files_own_mistakes_are_placed_in_it(tmp_path, capsys):
    sheet = files.write_csv(tmp_path / "s.csv", [["#", "Time", "Event Description"], [1, "0800", "Sirens."]])
    told = tmp_path / "bad.map.yaml"
    told.write_text("sheets:\n  - columns: {Time: when}\nevent_types: {Oops: maybe}\ndates: sideways\n", encoding="utf-8")
    found = problems(capsys, str(sheet), "--map", str(told))
    assert len(found) == 3
    assert re.match(r".*bad\.map\.yaml:2:21: unknown field 'when' for column 'Time'; expected one of: number, time,", found[0])
    assert re.match(r".*bad\.map\.yaml:3:21: expected one of inject, standby, expected, controller for event type 'Oops'", found[1])
    assert re.match(r".*bad\.map\.yaml:4:8: expected day-first or month-first for dates, got 'sideways'", found[2])


# --- CSV encodings and delimiters ----------------------------------------------------------

ENCODINGS = [("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", ";"), ("utf-16", "\t"), ("utf-16-le", "\t"), ("latin-1", "|")]


@pytest.mark.parametrize(("encoding", "delimiter"), ENCODINGS, ids=lambda v: repr(v))
def test_csv_in_any_common_encoding_and_delimiter(tmp_path, encoding, delimiter):
    rows = [["Event #", "Time", "Send To", "Event Description", "Notes"],
            [1, "0900", "Café Owners; Police", "Smoke at the café, naïve bystanders film it.", "Über-important: call 555-0100"]]
    sheet = files.write_csv(tmp_path / "enc.csv", rows, encoding, delimiter)
    scenario, _ = imported(tmp_path, sheet, "--start", "2025-01-01")
    inject = scenario.injects[0]
    assert inject.text == "Smoke at the café, naïve bystanders film it."
    assert inject.note == "Über-important: call 555-0100"
    assert [scenario.seats[s].name for s in inject.to] == ["Café Owners", "Police"]


# --- cells a spreadsheet would run -----------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "'=already quoted", "''", "\tTabbed", "'plain apostrophe", "- a bullet"]


def test_csv_cells_that_would_run_as_formulas_are_neutralised_and_restored(tmp_path):
    import json

    text = MINI.read_text(encoding="utf-8")
    text = text.replace('title: "DPRK missile test"', f"title: {json.dumps(HOSTILE[0])}").replace(
        'text: "A test of a short-range missile."', f"text: {json.dumps(HOSTILE[1])}")
    for inject, (note, cite) in zip(("missile", "threat", "clash", "standby-strike"), zip(HOSTILE[2::2], HOSTILE[3::2] + [""], strict=True), strict=False):
        extra = f"    note: {json.dumps(note)}\n" + (f"    cite: {json.dumps(cite)}\n" if cite else "")
        text = text.replace(f"  - id: {inject}\n", f"  - id: {inject}\n{extra}", 1)
    scenario_path = tmp_path / "hostile.yaml"
    scenario_path.write_text(text, encoding="utf-8")
    original, _ = load_scenario(scenario_path)
    written = {x for i in original.injects for x in (i.title, i.text, i.note, i.cite)}
    assert set(HOSTILE) - {"\tTabbed"} <= written  # (the loader strips a note's leading tab: that one is checked below alone)
    for value in HOSTILE:
        assert msel.restore(msel.neutralise(value)) == value
    assert [msel.neutralise(v) for v in HOSTILE[4:]] == ["''=already quoted", "'" * 3, "'\tTabbed", "'plain apostrophe", "'- a bullet"]
    assert all(msel.neutralise(v).startswith("'") for v in HOSTILE[:4])
    sheet, out, again = tmp_path / "h.csv", tmp_path / "h.yaml", tmp_path / "again.csv"
    assert cli.main(["msel", "export", str(scenario_path), "-o", str(sheet)]) == 0
    raw = sheet.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and ",'+1+1," in raw and not re.search(r"(^|,)[=+@]", raw, re.M)
    assert cli.main(["msel", "import", str(sheet), "--scenario", str(scenario_path), "-o", str(out)]) == 0
    assert out.read_bytes() == scenario_path.read_bytes()
    assert cli.main(["msel", "export", str(out), "-o", str(again)]) == 0
    assert again.read_bytes() == sheet.read_bytes()
    workbook = tmp_path / "h.xlsx"
    assert cli.main(["msel", "export", str(scenario_path), "-o", str(workbook)]) == 0
    ws = openpyxl.load_workbook(workbook, data_only=False)["MSEL"]
    cell = ws.cell(row=2, column=7)
    assert (cell.value, cell.data_type) == (HOSTILE[0], "s"), "a string cell, not a formula"


# --- into a base scenario, and played headless --------------------------------------------------


def test_a_planners_sheet_goes_into_a_base_scenario_and_plays_headless(tmp_path, capsys):
    header = ["Phase", "Event #", "Time", "Send To\n(Recipient Players)", "Event Synopsis", "Event Description", "Expected Player Action"]
    rows = [
        ["Turn 1", 1, "2024-06-19 09:00", "North Korea, United States", "Summit opens", "The Pyongyang summit opens.", "Seats state their aims"],
        [None, 2, "1400", "Everyone", "Treaty text read out", "The treaty text is read out.", None],
        ["Turn 2", 3, None, "ROK", "Troops reported", "Reports of DPRK troops in Russia.", "ROK consults the US"],
    ]
    sheet = files.workbook(tmp_path / "nea.xlsx", [{"name": "MSEL", "header": header, "rows": rows, "merges": ["A2:A3"]}])
    told = tmp_path / "nea.map.yaml"
    told.write_text('recipients: {"North Korea": dprk, "United States": us}\nsource: barannikova\n', encoding="utf-8")
    scenario, out = imported(tmp_path, sheet, "--scenario", "nea-2024", "--map", str(told))
    assert [(i.turn, i.date, i.time, i.to) for i in scenario.injects] == [
        (1, dt.date(2024, 6, 19), dt.time(9, 0), ("dprk", "us")), (1, dt.date(2024, 6, 19), dt.time(14, 0), ("all",)),
        (2, scenario.turn(2).start, None, ("rok",))]
    assert scenario.injects[0].expected_actions == ("Seats state their aims",)
    assert scenario.options == load_scenario(BUNDLED[0])[0].options
    log = tmp_path / "run.jsonl"
    capsys.readouterr()
    assert cli.main(["run", str(out), "--seed", "3", "--log", str(log)]) == 0
    assert cli.main(["verify", str(log)]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_workbook_is_read_as_one_whatever_its_name_and_a_repeated_header_is_skipped(tmp_path):
    header = ["Event #", "Time", "To", "Event Description"]
    rows = [[1, "0800", "EOC", "Landfall."], header, [2, "1000", "EOC", "Power out."]]
    book = files.workbook(tmp_path / "book.xlsx", [{"name": "MSEL", "header": header, "rows": rows}])
    for name in ("renamed.xlsm", "renamed.csv", "renamed"):
        target = tmp_path / name
        target.write_bytes(book.read_bytes())
        scenario, _ = imported(tmp_path, target, "--start", "2025-08-29", name=f"{name}.yaml")
        assert [i.title for i in scenario.injects] == ["Landfall.", "Power out."]


def test_a_phase_column_of_numbers_names_its_turns_by_its_header(tmp_path):
    rows = [["Module", "Time", "Event Description"], [1, "0900", "Sirens."], [1, "0915", "Calls."], [2, "1030", "Floods."]]
    scenario, _ = imported(tmp_path, files.write_csv(tmp_path / "m.csv", rows), "--start", "2025-01-01")
    assert [t.title for t in scenario.turns] == ["Module 1", "Module 2"]
    assert [i.turn for i in scenario.injects] == [1, 1, 2]
