"""What past visits say about planning a case again: whether it is due, how many staff it
needs, when someone is likely home, and what a visit is worth (the outcome loop)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

CONTACTED = frozenset({"met", "refused", "promise_to_pay", "paid"})
AT_THE_DOOR = CONTACTED | {"not_home"}
"""Outcomes that tell whether someone was home: the contact-rate evidence."""

TIME_OF_DAY = (
    ("morning", 6 * 60, 12 * 60),
    ("afternoon", 12 * 60, 17 * 60),
    ("evening", 17 * 60, 22 * 60),
)
"""Parts of the day contact rates are learned for: name, first and end minute (local)."""

CASE_EVIDENCE_WEIGHT = 2.0
"""How many visits the area's contact rate counts for against the case's own visits."""
PREFER_BELOW = 0.5
"""A part of the day is avoided when its contact rate is below this share of the best."""
BROKEN_PROMISE_PRIORITY = 1.5
PAYMENT_CHANCE_FRESH = 0.8
PAYMENT_HALF_LIFE_DAYS = 90.0
PAYMENT_CHANCE_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """The outcome of one visit (the latest record of it: corrections are new records)."""

    visit_id: str
    outcome: str
    occurred_at: dt.datetime
    place: str
    """Where the visit was planned: the address line, or "lat,lon"."""
    promise_date: dt.date | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True)
class ContactCounts:
    """Visits at the door and those where someone was met, per part of the day."""

    attempts: tuple[int, ...] = (0,) * len(TIME_OF_DAY)
    contacts: tuple[int, ...] = (0,) * len(TIME_OF_DAY)

    @classmethod
    def of(cls, outcomes: Sequence[RecordedOutcome], zone: ZoneInfo) -> ContactCounts:
        attempts = [0] * len(TIME_OF_DAY)
        contacts = [0] * len(TIME_OF_DAY)
        for recorded in outcomes:
            part = part_of_day(recorded.occurred_at.astimezone(zone))
            if part is None or recorded.outcome not in AT_THE_DOOR:
                continue
            attempts[part] += 1
            contacts[part] += recorded.outcome in CONTACTED
        return cls(tuple(attempts), tuple(contacts))

    def rates(self, prior: tuple[float, ...] | None = None) -> tuple[float, ...]:
        """Contact rate per part of the day: Laplace-smoothed alone, or with ``prior``
        (the area's rates) counted as :data:`CASE_EVIDENCE_WEIGHT` visits."""
        if prior is None:
            return tuple(
                (c + 1) / (a + 2) for a, c in zip(self.attempts, self.contacts, strict=True)
            )
        weight = CASE_EVIDENCE_WEIGHT
        return tuple(
            (c + weight * p) / (a + weight)
            for a, c, p in zip(self.attempts, self.contacts, prior, strict=True)
        )


@dataclass(frozen=True, slots=True)
class Standing:
    """The case's history, read for a plan on one date."""

    hold: tuple[str, str] | None
    """(reason, detail) when the case is not due: paid, promise pending, address in review."""
    staff_required: int
    priority: float
    effects: tuple[tuple[str, str], ...]
    """(kind, detail): ``follow_up`` of a broken promise, ``team_required`` after unsafe."""


def part_of_day(local: dt.datetime) -> int | None:
    """Index into :data:`TIME_OF_DAY` of a local time, or None at night."""
    minute = local.hour * 60 + local.minute
    return next((i for i, (_, start, end) in enumerate(TIME_OF_DAY) if start <= minute < end), None)


def place_key(address: str | None, lat: float, lon: float) -> str:
    """How a visit's place is remembered: its address, normalised, else its point."""
    if address:
        return re.sub(r"\s+", " ", address).strip().casefold()
    return f"{lat:.5f},{lon:.5f}"


def standing(
    outcomes: Sequence[RecordedOutcome], date: dt.date, place: str, grace_days: int
) -> Standing:
    """Read ``outcomes`` (oldest first) for a plan on ``date`` of the case now at ``place``."""
    effects: list[tuple[str, str]] = []
    paid = [o for o in outcomes if o.outcome == "paid"]
    if paid:
        detail = f"paid on {paid[-1].occurred_at.date().isoformat()}: the case is closed"
        return Standing(("paid", detail), 1, 1.0, ())
    hold = None
    priority = 1.0
    promises = [o for o in outcomes if o.outcome == "promise_to_pay" and o.promise_date]
    if promises:
        promise = promises[-1]
        assert promise.promise_date is not None  # filtered above
        resume = promise.promise_date + dt.timedelta(days=grace_days + 1)
        if date < resume:
            detail = (
                f"promised to pay by {promise.promise_date.isoformat()}; visits resume on "
                f"{resume.isoformat()} if it is not paid"
            )
            hold = ("promise_to_pay_pending", detail)
        else:
            priority = BROKEN_PROMISE_PRIORITY
            detail = (
                f"follow-up of a promise to pay due {promise.promise_date.isoformat()}, not kept: "
                f"priority x{BROKEN_PROMISE_PRIORITY}"
            )
            effects.append(("follow_up", detail))
    moved = [o for o in outcomes if o.outcome in ("wrong_address", "moved")]
    if moved and hold is None:
        last = moved[-1]
        confirmed_since = any(
            o.outcome in CONTACTED and o.occurred_at > last.occurred_at for o in outcomes
        )
        if last.place == place and not confirmed_since:
            detail = (
                f"reported {last.outcome.replace('_', ' ')} on "
                f"{last.occurred_at.date().isoformat()}: correct the address to plan it again"
            )
            hold = ("address_under_review", detail)
    staff = 1
    if any(o.outcome == "unsafe" for o in outcomes):
        staff = 2
        effects.append(("team_required", "a visit was reported unsafe: only a team of two may go"))
    return Standing(hold, staff, priority, tuple(effects))


def payment_chance(days_overdue: int | None) -> float:
    """Chance a contacted borrower pays: :data:`PAYMENT_CHANCE_FRESH` when just overdue,
    halving every :data:`PAYMENT_HALF_LIFE_DAYS` days, never below the floor."""
    days = max(days_overdue or 0, 0)
    chance = PAYMENT_CHANCE_FRESH * 0.5 ** (days / PAYMENT_HALF_LIFE_DAYS)
    assert isinstance(chance, float)
    return max(chance, PAYMENT_CHANCE_FLOOR)


def expected_recovery(
    amount_overdue: float, contact_chance: float, days_overdue: int | None, priority: float
) -> float:
    """The value of a visit: amount overdue x chance of contact x chance of payment x
    priority (documented in the README)."""
    return round(amount_overdue * contact_chance * payment_chance(days_overdue) * priority, 2)
