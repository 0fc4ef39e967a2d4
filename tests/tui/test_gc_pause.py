"""The collector pauses while big object graphs are built, and always comes back."""

from __future__ import annotations

import gc

import pytest

from tabletop import gc_pause


@pytest.fixture(autouse=True)
def no_start_up_hold():
    """Importing the app (as other test modules do) holds the collector until an app is drawn."""
    gc_pause.started()
    assert gc.isenabled()


def test_holds_nest_and_the_collector_resumes_with_the_last():
    with gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc_pause.resume()  # a release without a hold does nothing
    assert gc.isenabled()


def test_a_second_app_does_not_release_a_hold_it_never_took():
    gc_pause.hold_for_start_up()
    gc_pause.hold_for_start_up()  # held once only
    with gc_pause.paused():
        gc_pause.started()  # the first app drawn
        gc_pause.started()  # the next: nothing left to release
        assert not gc.isenabled()  # the worker's hold still stands
    assert gc.isenabled()


def test_a_failure_inside_still_resumes():
    try:
        with gc_pause.paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
