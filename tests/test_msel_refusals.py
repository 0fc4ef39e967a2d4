"""Files import must refuse, each with one clear line naming the file (and sheet, row, column), exit 1, no traceback.

Figures for the time and memory each takes are printed by benchmarks/bench_msel.py;
tests do not assert timings.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from tabletop import cli
from tabletop.msel import sheets

from . import msel_files as files


def refused(capsys, path: Path, *extra: str) -> str:
    out = path.parent / "out.yaml"
    code = cli.main(["msel", "import", str(path), "-o", str(out), *extra])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(path) + ":")
    return lines[0]


@pytest.fixture
def flood(tmp_path) -> Path:
    return files.flood_workbook(tmp_path / "flood.xlsx")


def test_a_password_protected_workbook(tmp_path, capsys):
    locked = files.compound_file(tmp_path / "locked.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    assert "password-protected" in refused(capsys, locked)


def test_an_old_binary_xls(tmp_path, capsys):
    old = files.compound_file(tmp_path / "old.xls", ["Workbook", "SummaryInformation"])
    assert re.search(r"old\.xls:1:1: an Excel 97-2003 workbook \(\.xls, the old binary format\) is not read; .*save it as \.xlsx or \.csv", refused(capsys, old))


@pytest.mark.parametrize("damage", ["random", "truncated", "not-a-workbook", "broken-xml", "ods"])
def test_a_corrupt_workbook(tmp_path, capsys, flood, damage):
    target = tmp_path / f"{damage}.xlsx"
    if damage == "random":
        target.write_bytes(os.urandom(4096))
        expected = "not a workbook"
    elif damage == "truncated":
        target.write_bytes(flood.read_bytes()[:3000])
        expected = "corrupt workbook"
    elif damage == "not-a-workbook":
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("notes.txt", "hello")
        expected = "not an .xlsx workbook"
    elif damage == "broken-xml":
        files.replace_part(flood, target, files.sheet_part(flood, "MSEL"), b"<worksheet><sheetData><row r='1'><c")
        expected = "corrupt workbook"
    else:
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<office:document-content/>")
        expected = "OpenDocument spreadsheet"
    assert expected in refused(capsys, target)


def test_a_zip_bomb(tmp_path, capsys, flood):
    bomb = files.replace_part(flood, tmp_path / "bomb.xlsx", files.sheet_part(flood, "MSEL"), stream=files.zeros(sheets.MAX_PART_BYTES + (1 << 20)))
    assert bomb.stat().st_size < 1_000_000, "a few hundred kilobytes that unpack to over 32 MB"
    line = refused(capsys, bomb)
    assert re.search(r"part xl/worksheets/sheet\d\.xml unpacks to [\d,]+ bytes from [\d,]+; the limit is [\d,]+.*zip bomb", line)


def test_an_xml_entity_bomb(tmp_path, capsys, flood):
    part = files.sheet_part(flood, "MSEL")
    with zipfile.ZipFile(flood) as archive:
        text = archive.read(part).decode()
    entities = '<!ENTITY a "lol">' + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    start = text.index("<worksheet")
    text = text[:start] + f"<!DOCTYPE worksheet [{entities}]>" + text[start:].replace("Riverside County Flood TTX", "&j;")
    target = files.replace_part(flood, tmp_path / "laughs.xlsx", part, text.encode())
    assert "corrupt workbook" in refused(capsys, target)


def test_a_sheet_of_100000_rows(tmp_path, capsys, flood):
    big = files.replace_part(flood, tmp_path / "big.xlsx", files.sheet_part(flood, "MSEL"), stream=files.big_sheet_rows(100_000))
    line = refused(capsys, big)
    assert re.match(rf".*big\.xlsx:{sheets.MAX_ROWS + 2}:1: sheet 'MSEL', row {sheets.MAX_ROWS + 2}: more than 5,000 rows below the header", line)


def test_a_csv_of_100000_rows(tmp_path, capsys):
    rows = [["Event #", "Time", "Event Description"]] + [[n, "0900", f"Event {n}"] for n in range(1, 100_001)]
    big = files.write_csv(tmp_path / "big.csv", rows)
    assert re.match(r".*big\.csv:5002:1: row 5002: more than 5,000 rows below the header", refused(capsys, big))


def test_a_csv_over_the_size_limit(tmp_path, capsys):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.write(b"Event #,Time,Event Description\r\n")
        f.seek(9 * 1024 * 1024)
        f.write(b"1,0900,x\r\n")
    assert "the limit is 8,388,608" in refused(capsys, huge)


def test_a_folder_a_pipe_and_a_missing_file(tmp_path, capsys):
    assert "is a folder" in refused(capsys, tmp_path)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    assert "not a regular file" in refused(capsys, pipe)  # refused without opening it: no read blocks on a pipe
    assert "cannot read" in refused(capsys, tmp_path / "missing.xlsx")


def test_a_sheet_with_no_msel_header(tmp_path, capsys):
    plain = files.write_csv(tmp_path / "plain.csv", [["apples", "3"], ["pears", "4"]])
    assert "no MSEL header found" in refused(capsys, plain)


def test_a_formula_the_workbook_saved_no_value_for(tmp_path, capsys):
    book = files.workbook(tmp_path / "formula.xlsx", [{"name": "MSEL", "header": ["#", "Time", "Event Description"],
                                                        "rows": [[1, "0900", "Sirens."], [2, "=B2+1/24", "Floods."]]}])
    code = cli.main(["msel", "import", str(book), "--start", "2025-01-01"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert re.search(r"formula\.xlsx:3:2: sheet 'MSEL', column B \(Time\): a formula the workbook holds no saved value for", err)


def test_a_control_character_in_a_cell(tmp_path, capsys):
    sheet = files.write_csv(tmp_path / "esc.csv", [["#", "Time", "Event Description"], [1, "0900", "Sirens\x1b[2J sound."]])
    code = cli.main(["msel", "import", str(sheet), "--start", "2025-01-01"])
    err = capsys.readouterr().err
    assert code == 1 and "\x1b" not in err
    assert re.search(r"esc\.csv:2:3: column C \(Event Description\): holds the control character U\+001B", err)


def test_export_to_a_folder_that_does_not_exist(tmp_path, capsys):
    for suffix in ("csv", "xlsx"):
        assert cli.main(["msel", "export", "nll-2025", "-o", str(tmp_path / "missing" / f"x.{suffix}")]) == 2
        err = capsys.readouterr().err
        assert "cannot write" in err and "Traceback" not in err
