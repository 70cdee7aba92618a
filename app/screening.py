"""Before solving: each located case against its compliance profiles and its visit history.

A case comes out excluded (by a rule, or held by its history: paid, a promise pending, an
address in review) or admitted with the times its service may start, the staff it needs and
its value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import geo
from app import history as hist
from app.clock import DayClock
from app.compliance import (
    Admission,
    CaseFacts,
    EffectiveRules,
    InconvenientTime,
    PastVisit,
    ProfileError,
    ProfileLibrary,
    RuleRef,
    check_case,
    combine,
)
from app.compliance.intervals import Intervals, intersect, normalized
from app.errors import Location, PlanInputError
from app.horizon import agent_days, case_days
from app.schemas import (
    MINUTES_PER_DAY,
    WEEKDAYS,
    AppliedProfileOut,
    CaseIn,
    ComplianceReportOut,
    ExclusionOut,
    HistoryEffectOut,
    PlanRequest,
    UnassignedOut,
    address_text,
    minutes_of_day,
)


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """Recorded outcomes of the plan's cases (by case id, oldest first) and of the region."""

    outcomes: Mapping[str, Sequence[hist.RecordedOutcome]] = field(default_factory=dict)
    area: hist.ContactCounts = field(default_factory=hist.ContactCounts)
    promise_grace_days: int = 2
    as_of: dt.datetime | None = None
    """When it was read (None: made up, e.g. in tests)."""


@dataclass(frozen=True, slots=True)
class AdmittedCase:
    windows_s: Intervals | None
    staff: int
    value: float | None


@dataclass(frozen=True, slots=True)
class Screening:
    admitted: dict[int, AdmittedCase]
    excluded: dict[int, UnassignedOut]
    report: ComplianceReportOut
    effects: list[HistoryEffectOut]


def resolve_rules(
    request: PlanRequest, region_profiles: Sequence[str], library: ProfileLibrary
) -> list[EffectiveRules]:
    """Each case's rules: the region's, the plan's and its own profiles in effect on the
    plan's date, combined. Fails closed.

    Raises
    ------
    PlanInputError
        If a case has no profile, or a named profile is unknown or not in effect.
    """
    named: list[tuple[str, Location]] = [(p, ("region",)) for p in region_profiles]
    named += [(p, ("compliance_profiles", k)) for k, p in enumerate(request.compliance_profiles)]
    for i, case in enumerate(request.cases):
        named += [
            (p, ("cases", i, "compliance_profiles", k))
            for k, p in enumerate(case.compliance_profiles)
        ]
    profiles = {}
    for profile_id, named_at in named:
        if profile_id not in profiles:
            try:
                profiles[profile_id] = library.in_effect(profile_id, request.date)
            except ProfileError as exc:
                raise PlanInputError(named_at, str(exc), error_type="compliance_profile") from exc
    shared = [*region_profiles, *request.compliance_profiles]
    combined: dict[tuple[str, ...], EffectiveRules] = {}
    rules = []
    for i, case in enumerate(request.cases):
        ids = tuple(dict.fromkeys([*shared, *case.compliance_profiles]))
        if not ids:
            some_case_names_one = any(c.compliance_profiles for c in request.cases)
            loc: Location = (
                ("cases", i, "compliance_profiles")
                if some_case_names_one
                else ("compliance_profiles",)
            )
            msg = (
                "no compliance profile applies to this case: name one for the plan, the case "
                "or the region (DOORSTEP_REGION_PROFILES); plans are never made without rules"
            )
            raise PlanInputError(loc, msg, error_type="compliance_profile")
        if ids not in combined:
            combined[ids] = combine([profiles[p] for p in ids])
        rules.append(combined[ids])
    return rules


def case_zone(case_idx: int, case: CaseIn, point: geo.LatLon, region_zone: ZoneInfo) -> ZoneInfo:
    """The time zone rules are read in: the visit address's own. Fails closed.

    Raises
    ------
    PlanInputError
        If no time zone is known at the case's place.
    """
    zone = geo.timezone_at(point)
    if zone is None:
        field_name = "location" if case.location is not None else "address"
        msg = (
            f"no time zone is known at {point.lat:.5f}, {point.lon:.5f}: the visiting rules "
            "cannot be checked"
        )
        raise PlanInputError(("cases", case_idx, field_name), msg, error_type="compliance_zone")
    return region_zone if zone == region_zone.key else ZoneInfo(zone)


def screen(
    request: PlanRequest,
    points: Mapping[int, geo.LatLon],
    rules: Sequence[EffectiveRules],
    region_zone: ZoneInfo,
    clock: DayClock,
    history: CaseHistory,
) -> Screening:
    """Check every located case (``points``, by case index) on each day of the plan in its
    date range: admitted with its allowed times on every day it may be visited (in a plan of
    several days always explicit, so they choose the day), or excluded with the first day's
    reason (and, over several days, each day's)."""
    largest_team = max(agent.team_size for agent in request.agents)
    days = agent_days(request)
    shifts = [
        normalized(
            (
                clock.seconds_at(d.minutes(minutes_of_day(d.shift.start))),
                clock.seconds_at(d.minutes(minutes_of_day(d.shift.end))),
            )
            for d in days
            if d.day == day
        )
        for day in range(request.horizon_days)
    ]
    working: dict[str, set[int]] = {agent.id: set() for agent in request.agents}
    for d in days:
        working[request.agents[d.agent_idx].id].add(d.day)
    area_rates = history.area.rates()
    several = request.horizon_days > 1
    admitted: dict[int, AdmittedCase] = {}
    excluded: dict[int, UnassignedOut] = {}
    exclusions: list[ExclusionOut] = []
    effects: list[HistoryEffectOut] = []
    for case_idx, point in points.items():
        case = request.cases[case_idx]
        zone = case_zone(case_idx, case, point, region_zone)
        outcomes = history.outcomes.get(case.id, ())
        place = hist.place_key(_address_line(case), point.lat, point.lon)
        case_rules = _CaseRules(rules[case_idx], largest_team, area_rates, history, clock)
        allowed: list[_DayAdmission] = []
        refused: list[tuple[dt.date, _DayRefusal]] = []
        dates_allowed = case_days(case, request)
        if case.pinned_agent_id is not None:
            pinned_days = [d for d in dates_allowed if d in working[case.pinned_agent_id]]
            if dates_allowed and not pinned_days:
                excluded[case_idx] = UnassignedOut(
                    case_id=case.id,
                    reason="pinned_agent_unavailable",
                    detail=f"pinned to {case.pinned_agent_id!r}, who works none of its days",
                )
                continue
            dates_allowed = pinned_days
        for day in dates_allowed:
            verdict = _screen_day(case, zone, outcomes, place, case_rules, day, shifts[day])
            if isinstance(verdict, _DayRefusal):
                refused.append((request.dates[day], verdict))
            else:
                allowed.append(verdict)
        if not allowed:
            excluded[case_idx] = _refusal(case, request, refused)
            rule = refused[0][1].rule if refused else None
            if rule is not None:
                exclusions.append(
                    ExclusionOut(
                        case_id=case.id,
                        profile_id=rule.profile_id,
                        profile_version=rule.version,
                        rule_id=rule.rule_id,
                        detail=excluded[case_idx].detail,
                    )
                )
            continue
        chosen = allowed[0]
        effects += [HistoryEffectOut(case_id=case.id, effect=e, detail=d) for e, d in chosen.notes]
        windows = chosen.windows
        if several:
            windows = normalized(w for a in allowed for w in a.windows_s(clock))
        admitted[case_idx] = AdmittedCase(windows, max(a.staff for a in allowed), chosen.value)
    report = ComplianceReportOut(
        profiles=_applied(rules),
        excluded=exclusions,
        cases_checked=len(points),
        conduct=list(dict.fromkeys(item for case_rules in rules for item in case_rules.conduct)),
    )
    return Screening(admitted, excluded, report, effects)


@dataclass(frozen=True, slots=True)
class _CaseRules:
    """What screening one case on one day needs besides the case."""

    rules: EffectiveRules
    largest_team: int
    area_rates: tuple[float, ...]
    history: CaseHistory
    clock: DayClock


@dataclass(frozen=True, slots=True)
class _DayAdmission:
    """A case admitted on one day: its allowed start times (None: whenever its own windows
    allow), staff, value and the history's notes."""

    day: int
    windows: Intervals | None
    own_windows: Intervals | None
    staff: int
    value: float | None
    notes: list[tuple[str, str]]

    def windows_s(self, clock: DayClock) -> Intervals:
        """The allowed start times, always explicit: the whole day when nothing limits it."""
        if self.windows is not None:
            return self.windows
        if self.own_windows is not None:
            return self.own_windows
        return (
            (
                clock.seconds_at(self.day * MINUTES_PER_DAY),
                clock.seconds_at((self.day + 1) * MINUTES_PER_DAY),
            ),
        )


@dataclass(frozen=True, slots=True)
class _DayRefusal:
    """A case not admitted on one day: why, and by which rule (None: held by its history)."""

    unassigned: UnassignedOut
    rule: RuleRef | None = None


def _screen_day(
    case: CaseIn,
    zone: ZoneInfo,
    outcomes: Sequence[hist.RecordedOutcome],
    place: str,
    case_rules: _CaseRules,
    day: int,
    shifts: Intervals,
) -> _DayAdmission | _DayRefusal:
    """The case on the plan's ``day``-th date: admitted, or why not."""
    clock = case_rules.clock
    date = clock.date + dt.timedelta(days=day)
    history = case_rules.history
    standing = hist.standing(outcomes, date, place, history.promise_grace_days)
    if standing.hold is not None:
        reason, detail = standing.hold
        return _DayRefusal(UnassignedOut(case_id=case.id, reason=reason, detail=detail))
    facts = _facts(case, zone, clock, day, outcomes, standing.staff_required)
    verdict = check_case(case_rules.rules, facts, date, clock, case_rules.largest_team)
    if not isinstance(verdict, Admission):
        rule = verdict.rule
        refusal = UnassignedOut(
            case_id=case.id,
            reason="compliance",
            detail=verdict.detail,
            profile_id=rule.profile_id,
            rule_id=rule.rule_id,
        )
        return _DayRefusal(refusal, rule)
    notes = list(standing.effects)
    counts = hist.ContactCounts.of(outcomes, zone)
    rates = counts.rates(prior=case_rules.area_rates)
    windows, contact, preference = _prefer_time_of_day(
        verdict.windows_s, facts.service_s, shifts, rates, counts, zone, date, clock
    )
    if preference:
        notes.append(("prefer_time_of_day", preference))
    value = case.value
    if value is None and case.amount_overdue is not None:
        value = hist.expected_recovery(
            case.amount_overdue, contact, case.days_overdue, standing.priority
        )
        notes.append(
            (
                "estimated_value",
                f"{case.amount_overdue:.2f} overdue x contact {contact:.2f} x payment "
                f"{hist.payment_chance(case.days_overdue):.2f} x priority "
                f"{standing.priority:g} = {value:.2f}",
            )
        )
    return _DayAdmission(day, windows, facts.windows_s, verdict.staff, value, notes)


def _refusal(
    case: CaseIn, request: PlanRequest, refused: Sequence[tuple[dt.date, _DayRefusal]]
) -> UnassignedOut:
    """Why a case is visited on no day: over one day, that day's reason; over several, the
    first day's reason with every day's detail."""
    if not refused:
        last = request.dates[-1]
        detail = (
            f"its dates ({case.earliest_date or '…'} to {case.latest_date or '…'}) are outside "
            f"the plan's days ({request.date} to {last})"
        )
        return UnassignedOut(case_id=case.id, reason="outside_dates", detail=detail)
    first = refused[0][1].unassigned
    if request.horizon_days == 1:
        return first
    detail = "; ".join(f"{date}: {refusal.unassigned.detail}" for date, refusal in refused)
    return first.model_copy(update={"detail": f"no day of its range allows a visit: {detail}"})


def _address_line(case: CaseIn) -> str | None:
    return None if case.address is None else address_text(case.address)


def _facts(
    case: CaseIn,
    zone: ZoneInfo,
    clock: DayClock,
    day: int,
    outcomes: Sequence[hist.RecordedOutcome],
    history_staff: int,
) -> CaseFacts:
    conditions = case.conditions
    midnight = day * MINUTES_PER_DAY
    windows = (
        normalized(
            (
                clock.seconds_at(midnight + minutes_of_day(w.start)),
                clock.seconds_at(midnight + minutes_of_day(w.end)),
            )
            for w in case.time_windows
        )
        if case.time_windows
        else None
    )
    return CaseFacts(
        zone=zone,
        service_s=case.service_minutes * 60,
        windows_s=windows,
        conditions=frozenset(
            name for name, flagged in conditions.model_dump().items() if flagged is True
        ),
        bereavement_until=conditions.bereavement_until,
        place_type=case.place_type,
        inconvenient_places=frozenset(case.inconvenient_places),
        inconvenient_times=tuple(
            InconvenientTime(
                frozenset(WEEKDAYS.index(day) for day in busy.days),
                minutes_of_day(busy.start),
                minutes_of_day(busy.end),
            )
            for busy in case.inconvenient_times
        ),
        notice_sent_at=case.notice_sent_at,
        staff_required=max(case.staff_required, history_staff),
        past_visits=tuple(PastVisit(o.occurred_at, o.outcome in hist.CONTACTED) for o in outcomes),
    )


def _prefer_time_of_day(
    windows: Intervals | None,
    service_s: int,
    shifts: Intervals,
    rates: tuple[float, ...],
    own: hist.ContactCounts,
    zone: ZoneInfo,
    date: dt.date,
    clock: DayClock,
) -> tuple[Intervals | None, float, str | None]:
    """Steer the visit to the parts of the day someone is likely home. Only the case's own
    failed visits move it (not the area's averages alone), and only within its allowed times
    and the agents' shifts. Returns the windows, the chance of contact and what changed."""
    local = DayClock(date, zone)

    def span(part: int) -> Intervals:
        _, start, end = hist.TIME_OF_DAY[part]
        return (
            (
                clock.seconds_since(local.instant(local.seconds_at(start))),
                clock.seconds_since(local.instant(local.seconds_at(end))) - 1,
            ),
        )

    reachable = tuple((start, end - service_s) for start, end in shifts)
    possible = intersect(windows, reachable) if windows is not None else normalized(reachable)
    open_parts = [p for p in range(len(hist.TIME_OF_DAY)) if intersect(possible, span(p))]
    if not open_parts:
        return windows, sum(rates) / len(rates), None
    best = max(rates[p] for p in open_parts)
    kept = [p for p in open_parts if rates[p] >= hist.PREFER_BELOW * best]
    if sum(own.attempts) == 0 or kept == open_parts:
        return windows, best, None
    steered = normalized(i for p in kept for i in intersect(possible, span(p)))
    avoided = ", ".join(
        f"{hist.TIME_OF_DAY[p][0]} {rates[p]:.2f}" for p in open_parts if p not in kept
    )
    names = " or ".join(hist.TIME_OF_DAY[p][0] for p in kept)
    detail = f"visit in the {names} (contact rate {best:.2f}); avoided: {avoided}"
    return steered, best, detail


def _applied(rules: Sequence[EffectiveRules]) -> list[AppliedProfileOut]:
    seen = {}
    for case_rules in rules:
        for profile in case_rules.profiles:
            seen[(profile.id, profile.version)] = AppliedProfileOut(
                id=profile.id,
                version=profile.version,
                jurisdiction=profile.jurisdiction,
                title=profile.title,
                binding_level=profile.binding_level,
            )
    return [seen[key] for key in sorted(seen)]
