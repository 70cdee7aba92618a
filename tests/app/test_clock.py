"""Local times of day <-> seconds, on ordinary days and across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from app.clock import DayClock

VADUZ = ZoneInfo("Europe/Vaduz")


@pytest.mark.parametrize(
    ("date", "hours_to_nine"),
    [(dt.date(2026, 12, 1), 9), (dt.date(2026, 3, 29), 8), (dt.date(2026, 10, 25), 10)],
)
def test_seconds_count_real_elapsed_time(date: dt.date, hours_to_nine: int) -> None:
    """09:00 is 9 h after midnight, but 8 h on the spring-forward day and 10 h on the
    fall-back day, and converts back to 09:00 local."""
    clock = DayClock(date, VADUZ)
    seconds = clock.seconds_at(9 * 60)
    assert seconds == hours_to_nine * 3600
    back = clock.instant(seconds)
    assert (back.date(), back.hour, back.minute) == (date, 9, 0)


def test_instants_carry_the_local_offset() -> None:
    """Instants are aware and in the region's offset (+01:00 in winter, +02:00 in summer)."""
    assert (
        DayClock(dt.date(2026, 12, 1), VADUZ).instant(0).isoformat() == "2026-12-01T00:00:00+01:00"
    )
    assert (
        DayClock(dt.date(2026, 7, 1), VADUZ).instant(3600).isoformat()
        == "2026-07-01T01:00:00+02:00"
    )


def test_end_of_day_is_next_midnight() -> None:
    """24:00 is the next day's midnight."""
    clock = DayClock(dt.date(2026, 12, 1), VADUZ)
    assert clock.instant(clock.seconds_at(24 * 60)).isoformat() == "2026-12-02T00:00:00+01:00"
