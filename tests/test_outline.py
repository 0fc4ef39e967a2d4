"""The outline the start screen draws before a scenario loads: the loaded scenario's own title and seats, or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop.loading import load_scenario
from tabletop.outline import MAX_EVENTS, outline
from tabletop.yamlnodes import InputError

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [*sorted((ROOT / "scenarios").glob("*.yaml")), ROOT / "tests" / "data" / "mini.yaml"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_outline_is_what_the_full_load_gives(path):
    scenario, _ = load_scenario(path)
    found = outline(path)
    assert found is not None
    assert found.title == scenario.title
    assert found.seats == tuple((seat_id, seat.name) for seat_id, seat in scenario.seats.items())


def test_it_needs_neither_the_model_nor_attrs():
    """What it is for: read before the start screen's first frame, it leaves the model to the load after it."""
    code = (
        "import sys; from tabletop.outline import outline\n"
        f"assert outline({str(SCENARIOS[0])!r}) is not None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('attrs', 'attr', 'cattrs') or m in ('tabletop.model', 'tabletop.loading')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_only_the_file_up_to_the_seats_is_read(tmp_path):
    """A scenario broken after its seats is outlined; its problems come from the full load (shown on screen after it)."""
    text = (ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8")
    path = tmp_path / "late.yaml"
    path.write_text(text.split("\nturns:")[0] + "\nturns: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_scenario(path)
    found = outline(path)
    assert found is not None and [seat_id for seat_id, _ in found.seats] == ["dprk", "rok", "us", "russia", "china", "japan"]


@pytest.mark.parametrize(
    "text",
    [
        "title: [broken\n",  # YAML syntax
        "- a list\n- not a mapping\n",
        "title: t\n",  # no seats
        "title: t\nseats: [us, rok]\n",  # seats not a mapping
        "title: t\nseats:\n  us: {role: r}\n",  # a seat without a name
        "title: t\nseats:\n  us: {name: [US]}\n",  # a name that is not text
        "title: t\nseats:\n  us: {name: &a US}\n  rok: {name: *a}\n",  # an anchor and an alias
        "title: t\nseats:\n  us: {name: !!python/object:os.system US}\n",  # a tag
        "\x00",
    ],
    ids=["syntax", "list", "no-seats", "seats-list", "no-name", "name-list", "alias", "tag", "nul"],
)
def test_what_it_does_not_expect_gives_none(tmp_path, text):
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    assert outline(path) is None


def test_files_that_are_not_regular_files_give_none(tmp_path):
    assert outline(tmp_path / "missing.yaml") is None
    assert outline(tmp_path) is None
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.yaml"
        os.mkfifo(fifo)
        assert outline(fifo) is None  # never opened: opening a FIFO would wait for a writer


def test_a_file_of_endless_values_before_its_seats_is_given_up(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text("title: t\nfiller: [" + ", ".join("1" for _ in range(MAX_EVENTS)) + "]\nseats:\n  us: {name: US}\n", encoding="utf-8")
    assert outline(path) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n ,0123456789?%@`")), max_size=200))
def test_random_yaml_never_raises(tmp_path, text):
    path = tmp_path / "random.yaml"
    path.write_text("seats:\n" + text, encoding="utf-8")
    found = outline(path)
    assert found is None or all(isinstance(seat_id, str) and isinstance(name, str) and name for seat_id, name in found.seats)
