"""One case against its rules on one day: excluded (by which rule, and why) or admitted with
the times its service may start, in the plan's seconds.

Every time rule is read in the local time of the visit address. A visit lies inside allowed
hours when its whole service does: it starts at or after the window opens and ends by the
time it closes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from app.clock import DayClock
from app.compliance.intervals import Intervals, intersect, remove_open
from app.compliance.rules import EffectiveRules, RuleRef

CONTACTED_OUTCOMES = frozenset({"met", "refused", "promise_to_pay", "paid"})
"""Outcomes in which someone was met: what "contacted" caps count."""

_CONDITION_TEXT = {
    "attorney_on_record": "the borrower has an attorney on record",
    "cease_contact": "the borrower asked in writing to cease contact",
    "dispute_open": "the debt is disputed",
    "vulnerable": "the borrower is known or suspected to be particularly vulnerable",
    "capacity_concern": "the borrower may lack capacity to deal with the debt",
    "bereavement": "the borrower is bereaved",
}


@dataclass(frozen=True, slots=True)
class PastVisit:
    """A visit made to the case before: when, and whether anyone was met."""

    at: dt.datetime
    contacted: bool


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """Times the borrower declared inconvenient: minutes of day on some weekdays."""

    weekdays: frozenset[int]
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFacts:
    """What the rules need to know about a case."""

    zone: ZoneInfo
    service_s: int
    windows_s: Intervals | None
    """The case's own service-start windows; None: any time."""
    conditions: frozenset[str] = frozenset()
    bereavement_until: dt.date | None = None
    place_type: str = "home"
    inconvenient_places: frozenset[str] = frozenset()
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    notice_sent_at: dt.datetime | None = None
    staff_required: int = 1
    past_visits: tuple[PastVisit, ...] = ()


@dataclass(frozen=True, slots=True)
class Exclusion:
    """The case may not be visited on the day."""

    rule: RuleRef
    detail: str


@dataclass(frozen=True, slots=True)
class Admission:
    """The case may be visited: when its service may start (None: whenever the case's own
    windows allow) and how many staff the visit needs."""

    windows_s: Intervals | None
    staff: int


def check_case(
    rules: EffectiveRules,
    facts: CaseFacts,
    date: dt.date,
    plan_clock: DayClock,
    largest_team: int,
) -> Exclusion | Admission:
    """Apply every rule to the case on ``date``; the first rule that leaves no visit wins."""
    weekday = date.weekday()
    for condition, rule in rules.do_not_visit:
        if _condition_holds(condition, facts, date):
            return Exclusion(rule, _CONDITION_TEXT[condition])
    if rules.no_workplace and facts.place_type == "workplace":
        return Exclusion(rules.no_workplace, "no visits at the borrower's workplace")
    if rules.borrower_preferences and facts.place_type in facts.inconvenient_places:
        detail = f"the borrower declared visits at their {facts.place_type} inconvenient"
        return Exclusion(rules.borrower_preferences, detail)
    for blocked_day, rule in rules.blocked_weekdays:
        if blocked_day == weekday:
            return Exclusion(rule, f"no visits on {date:%A}s")
    for calendar, rule in rules.holiday_calendars:
        holiday = _holiday_name(calendar, date)
        if holiday is not None:
            return Exclusion(
                rule, f"{date.isoformat()} is a public holiday in {calendar}: {holiday}"
            )
    for cap in rules.caps:
        since = date - dt.timedelta(days=cap.rolling_days - 1)
        counted = [
            visit
            for visit in facts.past_visits
            if since <= visit.at.astimezone(facts.zone).date() <= date
            and (visit.contacted or not cap.contacted_only)
        ]
        if len(counted) + 1 > cap.max_visits:
            kind = "visits with contact" if cap.contacted_only else "visits"
            detail = (
                f"{len(counted)} {kind} since {since.isoformat()}: at most {cap.max_visits} "
                f"in {cap.rolling_days} days"
            )
            return Exclusion(cap.rule, detail)
    staff = max(facts.staff_required, rules.min_staff.value if rules.min_staff else 1)
    if staff > largest_team:
        rule = rules.min_staff.rule if rules.min_staff else RuleRef("CASE", 0, "staff_required")
        detail = f"the visit needs {staff} staff and no agent is a team that large"
        if rules.min_staff is None or facts.staff_required > rules.min_staff.value:
            detail += " (the case asks for it)"
        return Exclusion(rule, detail)
    return _timed(rules, facts, date, plan_clock, staff)


def _timed(
    rules: EffectiveRules, facts: CaseFacts, date: dt.date, plan_clock: DayClock, staff: int
) -> Exclusion | Admission:
    local = DayClock(date, facts.zone)

    def plan_s(minute: int) -> int:
        return plan_clock.seconds_since(local.instant(local.seconds_at(minute)))

    whole_day = ((plan_s(0), plan_s(24 * 60)),)
    starts = facts.windows_s if facts.windows_s is not None else whole_day
    constrained = facts.windows_s is not None
    for limit in rules.hours:
        allowed = tuple(
            (plan_s(start), plan_s(end) - facts.service_s)
            for start, end in limit.by_weekday[date.weekday()]
        )
        starts = intersect(starts, allowed)
        constrained = True
        if not starts:
            hours = ", ".join(
                f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
                for s, e in limit.by_weekday[date.weekday()]
            )
            detail = (
                f"no {facts.service_s // 60}-minute visit fits the allowed hours on "
                f"{date:%A}s ({hours or 'none'})"
                + (" within the case's time windows" if facts.windows_s is not None else "")
            )
            return Exclusion(limit.rules[date.weekday()], detail)
    if rules.borrower_preferences and facts.inconvenient_times:
        for busy in facts.inconvenient_times:
            if date.weekday() in busy.weekdays:
                starts = remove_open(
                    starts, plan_s(busy.start_minute) - facts.service_s, plan_s(busy.end_minute)
                )
                constrained = True
        if not starts:
            detail = "the borrower declared every remaining time of the day inconvenient"
            return Exclusion(rules.borrower_preferences, detail)
    if rules.notice_hours is not None:
        notice = rules.notice_hours
        if facts.notice_sent_at is None:
            return Exclusion(notice.rule, f"no notice sent; {notice.value} h notice required")
        ready = plan_clock.seconds_since(facts.notice_sent_at) + notice.value * 3600
        starts = intersect(starts, ((ready, whole_day[0][1]),))
        constrained = True
        if not starts:
            detail = (
                f"notice was sent at {facts.notice_sent_at.isoformat()}; {notice.value} h must "
                "pass before the visit"
            )
            return Exclusion(notice.rule, detail)
    return Admission(starts if constrained else None, staff)


def _condition_holds(condition: str, facts: CaseFacts, date: dt.date) -> bool:
    if condition == "bereavement":
        return facts.bereavement_until is not None and date <= facts.bereavement_until
    return condition in facts.conditions


@lru_cache(maxsize=64)
def _calendar(calendar: str, year: int) -> holidays.HolidayBase:
    country, _, subdivision = calendar.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None, years=year)


def _holiday_name(calendar: str, date: dt.date) -> str | None:
    name = _calendar(calendar, date.year).get(date)
    return None if name is None else str(name)
