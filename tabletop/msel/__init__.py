"""MSEL interchange: a scenario's injects as a spreadsheet in the HSEEP layout, and a planner's spreadsheet as a scenario.

Facilitators plan injects in spreadsheets laid out like the Master Scenario
Events List of the US Homeland Security Exercise and Evaluation Program (HSEEP).
``export`` writes one row per inject, in MSEL order, under the HSEEP column
names, then the columns tabletop needs and HSEEP lacks, as .csv or .xlsx.
``import`` reads such a sheet back into a base scenario, or a planner's own
MSEL (.xlsx or .csv, header names, title rows, merged cells, times and event
types as planners write them) into a scenario of its own.

A round trip changes nothing: export -> import gives the scenario file it came
from, byte for byte, and export -> import -> export the same sheet.

The modules: ``layout`` (the columns and their synonyms, from vocabulary.yaml),
``sheets`` (reading .csv and .xlsx in bounded time and memory), ``times``
(every way an MSEL writes a time), ``mapping`` (the header guess and the map
file that corrects it), ``importing``, ``exporting``, ``yamlout`` (the
scenario file written) and ``refs`` (how the From, Expected Player Action and
Objective cells name an inject's control cell, expected actions and objectives,
read the same way by import and export).
"""

from tabletop.msel.exporting import export_csv, export_xlsx, neutralise, restore, rows, write_csv, write_xlsx
from tabletop.msel.importing import Imported, SheetError, import_csv, import_file, same_injects
from tabletop.msel.layout import HEADER, HSEEP_COLUMNS, TABLETOP_COLUMNS, column_letter
from tabletop.msel.yamlout import write_scenario

__all__ = [
    "HEADER", "HSEEP_COLUMNS", "TABLETOP_COLUMNS", "Imported", "SheetError", "column_letter", "export_csv", "export_xlsx",
    "import_csv", "import_file", "neutralise", "restore", "rows", "same_injects", "write_csv", "write_scenario", "write_xlsx",
]
