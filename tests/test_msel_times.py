"""Every way an MSEL writes a time, read as scenario time (tabletop.msel.times)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabletop.msel.times import TimeError, When, read, slash_order

D, T, Delta = dt.date, dt.time, dt.timedelta


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (0.4583, When(time=T(11, 0))),  # an Excel day fraction
        (0.0, When(time=T(0, 0))),
        (0.99999, When(time=T(23, 59))),
        (45596, When(date=D(2024, 10, 31))),  # an Excel serial date
        (45596.375, When(date=D(2024, 10, 31), time=T(9, 0))),
        ("45596.375", When(date=D(2024, 10, 31), time=T(9, 0))),  # the same, saved as text
        (900, When(time=T(9, 0))),  # 0900 typed into a number cell
        ("0900", When(time=T(9, 0))),
        ("930", When(time=T(9, 30))),
        ("09:00", When(time=T(9, 0))),
        ("9:05:40", When(time=T(9, 6))),
        ("0900 hrs", When(time=T(9, 0))),
        ("1100L", When(time=T(11, 0))),
        ("09:00 EST", When(time=T(9, 0))),
        ("9 AM", When(time=T(9, 0))),
        ("12:30 p.m.", When(time=T(12, 30))),
        ("12 AM", When(time=T(0, 0))),
        ("09:00-09:30", When(time=T(9, 0))),
        ("0900 – 0930", When(time=T(9, 0))),
        ("T+00:30", When(offset=Delta(minutes=30))),
        ("T + 0:30", When(offset=Delta(minutes=30))),
        ("T+30", When(offset=Delta(minutes=30))),
        ("T+90 min", When(offset=Delta(minutes=90))),
        ("T+1h 30m", When(offset=Delta(minutes=90))),
        ("T+1d 02:00", When(offset=Delta(hours=26))),
        ("+00:45", When(offset=Delta(minutes=45))),
        ("H+2", When(offset=Delta(hours=2))),
        ("H+02:30", When(offset=Delta(minutes=150))),
        ("STARTEX", When(offset=Delta(0))),
        ("STARTEX + 15 min", When(offset=Delta(minutes=15))),
        ("T0", When(offset=Delta(0))),
        ("Day 2", When(day=2)),
        ("Day 1 0800", When(day=1, time=T(8, 0))),
        ("Day 3, 14:00", When(day=3, time=T(14, 0))),
        ("D+1 0900", When(day=2, time=T(9, 0))),
        ("D2", When(day=2)),
        ("2024-10-31", When(date=D(2024, 10, 31))),
        ("2024-10-31 09:00", When(date=D(2024, 10, 31), time=T(9, 0))),
        ("2024-10-31T09:00:00", When(date=D(2024, 10, 31), time=T(9, 0))),
        ("10/31/2024", When(date=D(2024, 10, 31))),
        ("10/31/24 9:00 PM", When(date=D(2024, 10, 31), time=T(21, 0))),
        ("31 Oct 2024", When(date=D(2024, 10, 31))),
        ("Oct 31, 2024 1400", When(date=D(2024, 10, 31), time=T(14, 0))),
        ("Thursday, October 31, 2024", When(date=D(2024, 10, 31))),
        (dt.datetime(2024, 10, 31, 9, 0), When(date=D(2024, 10, 31), time=T(9, 0))),
        (dt.datetime(2024, 10, 31), When(date=D(2024, 10, 31))),
        (dt.date(2024, 10, 31), When(date=D(2024, 10, 31))),
        (dt.time(13, 5), When(time=T(13, 5))),
        (dt.timedelta(hours=1, minutes=15), When(offset=Delta(minutes=75))),
        ("", None),
        (None, None),
    ],
)
def test_each_way_of_writing_a_time(cell, expected):
    assert read(cell) == expected


def test_slash_dates_day_first():
    assert read("31/10/2024", day_first=True) == When(date=D(2024, 10, 31))
    assert read("03/04/2025") == When(date=D(2025, 3, 4))
    assert read("03/04/2025", day_first=True) == When(date=D(2025, 4, 3))
    assert read("31.10.2024 09:00", day_first=True) == When(date=D(2024, 10, 31), time=T(9, 0))


def test_the_1904_date_system():
    assert read(44134.375, epoch_1904=True) == When(date=D(2024, 10, 31), time=T(9, 0))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("soon", "expected a time like 09:00, 0900, 9:00 AM"),
        ("9", "expected a time like"),
        ("2500", "expected a time like"),
        ("13 PM", "expected a time like"),
        ("2025-02-30", "'2025-02-30' is not a day of the calendar"),
        ("T-00:30", "a time before the start of the exercise"),
        ("Day 0", "days of the exercise count from Day 1"),
        (1.5, "the number 1.5 is neither a time of day"),
        (123456.0, "neither a time of day"),
        (True, "expected a time like"),
        (dt.timedelta(minutes=-5), "a time before the start"),
    ],
)
def test_what_is_not_a_time_says_what_was_expected(cell, message):
    with pytest.raises(TimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(cell)


def test_slash_order_from_the_whole_column():
    assert slash_order(["31/10/2024", "01/11/2024"]) is True
    assert slash_order(["10/31/2024", "11/01/2024"]) is False
    assert slash_order(["03/04/2025", "0900", "T+00:30"]) is None
    with pytest.raises(TimeError, match="both day first"):
        slash_order(["31/10/2024", "10/31/2024"])


@given(
    st.one_of(
        st.builds(lambda d, t: When(date=d, time=t), st.dates(D(1990, 1, 1), D(2100, 1, 1)),
                  st.none() | st.builds(T, st.integers(0, 23), st.integers(0, 59))),
        st.builds(lambda t: When(time=t), st.builds(T, st.integers(0, 23), st.integers(0, 59))),
        st.builds(lambda m: When(offset=Delta(minutes=m)), st.integers(0, 60 * 24 * 30)),
        st.builds(lambda d, t: When(day=d, time=t), st.integers(1, 99), st.none() | st.builds(T, st.integers(0, 23), st.integers(0, 59))),
    )
)
def test_what_export_writes_reads_back_the_same(when):
    assert read(when.text()) == when
