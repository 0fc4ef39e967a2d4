"""MSEL times as planners write them, read as scenario time.

A time cell may hold an Excel day fraction (0.4583 is 11:00), an Excel serial
date (45596.375 is 2024-10-31 09:00), a date or a time that the spreadsheet
typed as one, or text: a clock time (0900, 9:00 AM, 09:00-09:30), a date
(2024-10-31, 10/31/2024, 31 Oct 2024) with or without a time, a day of the
exercise (Day 2 09:00, D+1 0900) or a time since its start (T+00:30, H+2,
STARTEX + 30 min). Each becomes a :class:`When`: a date, a clock time, both,
a day of the exercise, or an offset from its start. Times are kept to the
minute; the cell itself is kept as written beside what tabletop made of it.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from tabletop.loading import clock_text, offset_text


class TimeError(ValueError):
    """A time cell that reads as no time; the message says what was expected."""


EXPECTED = (
    "expected a time like 09:00, 0900, 9:00 AM, a date like 2024-10-31 or 10/31/2024 (with or without a time), "
    "Day 2 09:00, or a time since the start like T+00:30"
)


@attrs.frozen
class When:
    """What a time cell says: a date, a clock time, both, a day of the exercise, or an offset from its start."""

    date: dt.date | None = None
    time: dt.time | None = None
    offset: dt.timedelta | None = None
    day: int | None = None  # 1 for the exercise's first day

    def text(self) -> str:
        """As export writes it; reading it back gives this value again."""
        if self.offset is not None:
            return offset_text(self.offset)
        clock = clock_text(self.time) if self.time is not None else ""
        if self.date is not None:
            return f"{self.date.isoformat()} {clock}".strip()
        if self.day is not None:
            return f"Day {self.day} {clock}".strip()
        return clock


_EXCEL_1900 = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's phantom 29 February 1900
_EXCEL_1904 = dt.datetime(1904, 1, 1)
# Serials an MSEL's dates fall in: 1955 to 2118. Anything else is not a date.
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000

_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for m in names}

_ZONE = r"(?:\s*(?:hours|local|[a-z]{1,4}))?"  # 0900 hrs, 0900L, 09:00Z, 9:00 AM EST
_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?" + _ZONE + r"$", re.I
)
_RANGE = re.compile(r"^(?P<first>.+?)\s*(?:-|–|—|to|until)\s*(?P<second>\d.*)$", re.I)
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[ t,]+(?P<rest>.+))?$", re.I)
_SLASH = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{2}|\d{4})(?:[ t,]+(?P<rest>.+))?$", re.I)
_NAMED_DMY = re.compile(r"^(?:[a-z]+,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mo>[a-z]+)\.?,?\s+(?P<y>\d{4})(?:[ t,]+(?P<rest>.+))?$", re.I)
_NAMED_MDY = re.compile(r"^(?:[a-z]+,?\s+)?(?P<mo>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?:[ t,]+(?P<rest>.+))?$", re.I)
_DAY = re.compile(r"^(?:day|d)\s*(?P<plus>\+)?\s*(?P<n>\d{1,3})(?:[\s,:;-]+(?P<rest>.+))?$", re.I)
_RELATIVE = re.compile(r"^(?:(?:t|h|e|startex)\s*)?(?P<sign>[+-])\s*(?P<rest>.+)$", re.I)
_STARTEX = re.compile(r"^(?:startex|t\s*0|t|h\s*hour|h)$", re.I)
_HHMM = re.compile(r"^(?P<h>\d{1,5}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")
_UNITS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>d|days?|h|hrs?|hours?|m|mins?|minutes?)\b", re.I)


def read(value: object, *, day_first: bool = False, epoch_1904: bool = False, hours: bool = False) -> When | None:
    """The time a cell says, or None for an empty cell; raises TimeError with what was expected.

    ``hours`` reads a bare number after H+ as hours (H+2 is two hours); after T+ or + it is minutes.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TimeError(f"{EXPECTED}, got {value!r}")
    if isinstance(value, dt.datetime):
        return _of_datetime(value)
    if isinstance(value, dt.date):
        return When(date=value)
    if isinstance(value, dt.time):
        return When(time=_minute(value.hour, value.minute, value.second))
    if isinstance(value, dt.timedelta):
        return _offset(value)
    if isinstance(value, (int, float)):
        return _number(float(value), epoch_1904)
    text = " ".join(str(value).split())
    if not text:
        return None
    return _text(text, day_first, epoch_1904)


def slash_order(values: list[str]) -> bool | None:
    """Whether slash dates in these cells put the day first (True), the month first (False), or cannot tell (None).

    Raises TimeError when some cells can only be day-first and others only month-first.
    """
    day_first = month_first = None
    for text in values:
        match = _SLASH.match(" ".join(text.split()))
        if not match:
            continue
        a, b = int(match["a"]), int(match["b"])
        if a > 12 >= b:
            day_first = day_first or text
        elif b > 12 >= a:
            month_first = month_first or text
    if day_first and month_first:
        raise TimeError(f"dates are written both day first ({day_first!r}) and month first ({month_first!r})")
    if day_first:
        return True
    if month_first:
        return False
    return None


def _of_datetime(value: dt.datetime) -> When:
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return When(date=value.date())
    rounded = value + dt.timedelta(seconds=30)
    if rounded.date() != value.date():  # 23:59:30 or later: keep the day, stop at its last minute
        return When(date=value.date(), time=dt.time(23, 59))
    return When(date=value.date(), time=dt.time(rounded.hour, rounded.minute))


def _minute(hour: int, minute: int, second: int = 0) -> dt.time:
    total = min(hour * 60 + minute + (1 if second >= 30 else 0), 23 * 60 + 59)
    return dt.time(total // 60, total % 60)


def _offset(delta: dt.timedelta) -> When:
    if delta < dt.timedelta(0):
        raise TimeError(f"a time before the start of the exercise ({delta}); times since the start count up from T+00:00")
    minutes = round(delta.total_seconds() / 60)
    return When(offset=dt.timedelta(minutes=minutes))


def _number(value: float, epoch_1904: bool) -> When:
    if value != value or value in (float("inf"), float("-inf")):
        raise TimeError(f"{EXPECTED}, got {value}")
    if value.is_integer() and 100 <= value <= 2359 and value % 100 < 60:  # 0900 typed into a number cell
        return When(time=dt.time(int(value) // 100, int(value) % 100))
    if 0 <= value < 1:  # a fraction of a day: a time of day
        seconds = round(value * 86400)
        return When(time=_minute(seconds // 3600, seconds // 60 % 60, seconds % 60))
    if _SERIAL_MIN <= value < _SERIAL_MAX:
        base = _EXCEL_1904 if epoch_1904 else _EXCEL_1900
        return _of_datetime(base + dt.timedelta(days=value))
    raise TimeError(
        f"the number {value:g} is neither a time of day (a fraction of a day below 1, 0.4583 for 11:00) "
        f"nor a date (an Excel serial such as 45596 for 2024-10-31); {EXPECTED}"
    )


def _text(text: str, day_first: bool, epoch_1904: bool) -> When:
    fail = TimeError(f"{EXPECTED}, got {text!r}")
    if _STARTEX.match(text):
        return When(offset=dt.timedelta(0))
    if re.fullmatch(r"\d+\.\d+|\d{5}", text):  # a number a spreadsheet saved as text
        return _number(float(text), epoch_1904)
    match = _RELATIVE.match(text)
    if match:  # T+00:30, +30 min, H+2, STARTEX + 0:30
        if match["sign"] == "-":
            raise TimeError(f"a time before the start of the exercise ({text!r}); times since the start count up from T+00:00")
        delta = _duration(match["rest"], hours=text[:1] in "hH")
        if delta is None:
            raise fail
        return _offset(delta)
    match = _DAY.match(text)
    if match:
        n = int(match["n"])
        day = n + 1 if match["plus"] else n
        if day < 1:
            raise TimeError(f"days of the exercise count from Day 1, got {text!r}")
        time = _clock(match["rest"]) if match["rest"] else None
        if match["rest"] and time is None:
            raise fail
        return When(day=day, time=time)
    for pattern in (_ISO, _SLASH, _NAMED_DMY, _NAMED_MDY):
        match = pattern.match(text)
        if match:
            date = _date(match, pattern, day_first)
            if date is None:
                raise TimeError(f"{text!r} is not a day of the calendar; {EXPECTED}")
            rest = match["rest"]
            time = _clock(rest) if rest else None
            if rest and time is None:
                raise fail
            return When(date=date, time=time)
    time = _clock(text)
    if time is None:
        raise fail
    return When(time=time)


def _date(match: re.Match[str], pattern: re.Pattern[str], day_first: bool) -> dt.date | None:
    year = int(match["y"])
    if year < 100:
        year += 2000
    if pattern is _SLASH:
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if day_first else (b, a)
    else:
        day = int(match["d"])
        if pattern is _ISO:
            month = int(match["mo"])
        else:
            month = _MONTHS.get(match["mo"].casefold(), 0)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _clock(text: str) -> dt.time | None:
    """A clock time, or the start of a range of them (09:00-09:30)."""
    text = text.strip()
    ranged = _RANGE.match(text)
    if ranged and _clock_one(ranged["first"]) is not None and _clock_one(ranged["second"]) is not None:
        return _clock_one(ranged["first"])
    return _clock_one(text)


def _clock_one(text: str) -> dt.time | None:
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    if match["m"] is None:
        hour, minute = int(match["h"]), 0
        if match["ap"] is None:  # a bare "9" is not a time
            return None
    else:
        hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"] or 0)
    ampm = (match["ap"] or "").casefold().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return _minute(hour, minute, second)


def _duration(text: str, hours: bool) -> dt.timedelta | None:
    """00:30, 1:30:00, 30 (minutes; hours after H+), 30 min, 1h 30m, 2 days, 1d 02:00."""
    text = text.strip().rstrip(".")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        n = float(text)
        return dt.timedelta(hours=n) if hours else dt.timedelta(minutes=n)
    match = _HHMM.match(text)
    if match:
        return dt.timedelta(hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"] or 0))
    total = dt.timedelta(0)
    rest = text
    found = False
    for unit in _UNITS.finditer(text):
        found = True
        n = float(unit["n"])
        u = unit["u"].casefold()
        total += dt.timedelta(days=n) if u.startswith("d") else dt.timedelta(hours=n) if u.startswith("h") else dt.timedelta(minutes=n)
        rest = rest.replace(unit.group(0), " ", 1)
    if not found:
        return None
    rest = rest.strip(" ,+")
    if rest:  # "1d 02:00"
        match = _HHMM.match(rest)
        if not match:
            return None
        total += dt.timedelta(hours=int(match["h"]), minutes=int(match["m"]))
    return total
