"""Profiles combined into the rules one case is checked against: the strictest of them all.

Allowed hours of several profiles are all kept and all apply (so they intersect) and caps all
hold (so the smallest binds); keeping each rule apart lets an exclusion name the rule that
made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.compliance.intervals import Interval
from app.compliance.schema import (
    AdvanceNoticeRule,
    AllowedHoursRule,
    BlockedWeekdaysRule,
    BorrowerPreferencesRule,
    ConductRule,
    DoNotVisitRule,
    FrequencyCapRule,
    MinStaffRule,
    NoWorkplaceRule,
    ProfileIn,
    PublicHolidaysRule,
)
from app.schemas import WEEKDAYS, minutes_of_day


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Which rule of which profile version."""

    profile_id: str
    version: int
    rule_id: str


@dataclass(frozen=True, slots=True)
class HoursLimit:
    """One profile's allowed hours (its allowed_hours rules add up): per weekday
    (0 = Monday), minute intervals, and the rule that governs the day."""

    by_weekday: tuple[tuple[Interval, ...], ...]
    rules: tuple[RuleRef, ...]


@dataclass(frozen=True, slots=True)
class Cap:
    rule: RuleRef
    max_visits: int
    rolling_days: int
    contacted_only: bool


@dataclass(frozen=True, slots=True)
class Level:
    """A number some rule requires (staff, notice hours), with the rule."""

    value: int
    rule: RuleRef


@dataclass(frozen=True, slots=True)
class EffectiveRules:
    """Every rule that applies to a case, from all its profiles."""

    profiles: tuple[ProfileIn, ...]
    hours: tuple[HoursLimit, ...] = ()
    blocked_weekdays: tuple[tuple[int, RuleRef], ...] = ()
    holiday_calendars: tuple[tuple[str, RuleRef], ...] = ()
    do_not_visit: tuple[tuple[str, RuleRef], ...] = ()
    borrower_preferences: RuleRef | None = None
    caps: tuple[Cap, ...] = ()
    min_staff: Level | None = None
    notice_hours: Level | None = None
    no_workplace: RuleRef | None = None
    conduct: tuple[str, ...] = field(default=())


def combine(profiles: Sequence[ProfileIn]) -> EffectiveRules:
    """The strictest combination of ``profiles`` (each id once)."""
    hours: list[HoursLimit] = []
    blocked: list[tuple[int, RuleRef]] = []
    calendars: list[tuple[str, RuleRef]] = []
    do_not_visit: list[tuple[str, RuleRef]] = []
    preferences: RuleRef | None = None
    caps: list[Cap] = []
    min_staff: Level | None = None
    notice: Level | None = None
    no_workplace: RuleRef | None = None
    conduct: list[str] = []
    for profile in profiles:
        hours_rules = [r for r in profile.rules if isinstance(r, AllowedHoursRule)]
        if hours_rules:
            hours.append(_hours_limit(profile, hours_rules))
        for rule in profile.rules:
            ref = RuleRef(profile.id, profile.version, rule.id)
            match rule:
                case BlockedWeekdaysRule():
                    blocked += [(WEEKDAYS.index(day), ref) for day in rule.days]
                case PublicHolidaysRule():
                    calendars.append((profile.holiday_calendar or profile.jurisdiction, ref))
                case DoNotVisitRule():
                    do_not_visit.append((rule.condition, ref))
                case BorrowerPreferencesRule():
                    preferences = preferences or ref
                case FrequencyCapRule():
                    caps.append(
                        Cap(ref, rule.max_visits, rule.rolling_days, rule.counts == "contacted")
                    )
                case MinStaffRule():
                    min_staff = _higher(min_staff, Level(rule.staff, ref))
                case AdvanceNoticeRule():
                    notice = _higher(notice, Level(rule.hours, ref))
                case NoWorkplaceRule():
                    no_workplace = no_workplace or ref
                case ConductRule():
                    conduct += [item for item in rule.items if item not in conduct]
    return EffectiveRules(
        profiles=tuple(profiles),
        hours=tuple(hours),
        blocked_weekdays=tuple(blocked),
        holiday_calendars=tuple(calendars),
        do_not_visit=tuple(do_not_visit),
        borrower_preferences=preferences,
        caps=tuple(caps),
        min_staff=min_staff,
        notice_hours=notice,
        no_workplace=no_workplace,
        conduct=tuple(conduct),
    )


def _higher(current: Level | None, candidate: Level) -> Level:
    return candidate if current is None or candidate.value > current.value else current


def _hours_limit(profile: ProfileIn, hours_rules: list[AllowedHoursRule]) -> HoursLimit:
    days: list[list[Interval]] = [[] for _ in WEEKDAYS]
    governing = [RuleRef(profile.id, profile.version, hours_rules[0].id)] * len(WEEKDAYS)
    for rule in reversed(hours_rules):  # the first rule naming a day governs it
        for window in rule.windows:
            for day in window.days:
                days[WEEKDAYS.index(day)].append(
                    (minutes_of_day(window.start), minutes_of_day(window.end))
                )
                governing[WEEKDAYS.index(day)] = RuleRef(profile.id, profile.version, rule.id)
    return HoursLimit(tuple(tuple(sorted(i)) for i in days), tuple(governing))
