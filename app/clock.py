"""Local times of day on a plan's date <-> the solver's seconds, across DST changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


class DayClock:
    """Seconds are counted from local midnight of ``date`` in real elapsed time, so a day
    with a daylight-saving change is 23 or 25 hours long and every instant stays exact."""

    def __init__(self, date: dt.date, timezone: ZoneInfo) -> None:
        self._timezone = timezone
        self._date = date
        # Kept in UTC: subtracting two datetimes that share a tzinfo ignores their offsets.
        self._origin_utc = dt.datetime.combine(date, dt.time(), tzinfo=timezone).astimezone(dt.UTC)

    @property
    def date(self) -> dt.date:
        """The date whose local midnight is the origin."""
        return self._date

    def seconds_at(self, minutes_of_day: int) -> int:
        """Seconds from the origin to the local wall-clock time ``minutes_of_day`` after 00:00.

        A wall-clock time skipped by a DST change resolves as zoneinfo does (fold=0).
        """
        day_offset, minutes = divmod(minutes_of_day, 24 * 60)
        wall = dt.datetime.combine(
            self._date + dt.timedelta(days=day_offset),
            dt.time(minutes // 60, minutes % 60),
            tzinfo=self._timezone,
        )
        return int((wall.astimezone(dt.UTC) - self._origin_utc).total_seconds())

    def seconds_since(self, instant: dt.datetime) -> int:
        """Seconds from the origin to the aware ``instant`` (negative before it)."""
        return int((instant.astimezone(dt.UTC) - self._origin_utc).total_seconds())

    def instant(self, seconds: int) -> dt.datetime:
        """The aware local datetime ``seconds`` after the origin."""
        return (self._origin_utc + dt.timedelta(seconds=seconds)).astimezone(self._timezone)
