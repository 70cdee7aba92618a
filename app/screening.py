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
    check_case,
    combine,
)
from app.compliance.intervals import Intervals, intersect, normalized
from app.errors import Location, PlanInputError
from app.schemas import (
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
    """Check every located case (``points``, by case index) on the plan's date."""
    largest_team = max(agent.team_size for agent in request.agents)
    shifts = normalized(
        (clock.seconds_at(minutes_of_day(shift.start)), clock.seconds_at(minutes_of_day(shift.end)))
        for shift in (agent.shift for agent in request.agents)
    )
    area_rates = history.area.rates()
    admitted: dict[int, AdmittedCase] = {}
    excluded: dict[int, UnassignedOut] = {}
    exclusions: list[ExclusionOut] = []
    effects: list[HistoryEffectOut] = []
    for case_idx, point in points.items():
        case = request.cases[case_idx]
        zone = case_zone(case_idx, case, point, region_zone)
        outcomes = history.outcomes.get(case.id, ())
        place = hist.place_key(_address_line(case), point.lat, point.lon)
        standing = hist.standing(outcomes, request.date, place, history.promise_grace_days)
        if standing.hold is not None:
            reason, detail = standing.hold
            excluded[case_idx] = UnassignedOut(case_id=case.id, reason=reason, detail=detail)
            continue
        facts = _facts(case, zone, clock, outcomes, standing.staff_required)
        verdict = check_case(rules[case_idx], facts, request.date, clock, largest_team)
        if not isinstance(verdict, Admission):
            rule = verdict.rule
            excluded[case_idx] = UnassignedOut(
                case_id=case.id,
                reason="compliance",
                detail=verdict.detail,
                profile_id=rule.profile_id,
                rule_id=rule.rule_id,
            )
            exclusions.append(
                ExclusionOut(
                    case_id=case.id,
                    profile_id=rule.profile_id,
                    profile_version=rule.version,
                    rule_id=rule.rule_id,
                    detail=verdict.detail,
                )
            )
            continue
        notes = list(standing.effects)
        counts = hist.ContactCounts.of(outcomes, zone)
        rates = counts.rates(prior=area_rates)
        windows, contact, preference = _prefer_time_of_day(
            verdict.windows_s, facts.service_s, shifts, rates, counts, zone, request.date, clock
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
        effects += [HistoryEffectOut(case_id=case.id, effect=e, detail=d) for e, d in notes]
        admitted[case_idx] = AdmittedCase(windows, verdict.staff, value)
    report = ComplianceReportOut(
        profiles=_applied(rules),
        excluded=exclusions,
        cases_checked=len(points),
        conduct=list(dict.fromkeys(item for case_rules in rules for item in case_rules.conduct)),
    )
    return Screening(admitted, excluded, report, effects)


def _address_line(case: CaseIn) -> str | None:
    return None if case.address is None else address_text(case.address)


def _facts(
    case: CaseIn,
    zone: ZoneInfo,
    clock: DayClock,
    outcomes: Sequence[hist.RecordedOutcome],
    history_staff: int,
) -> CaseFacts:
    conditions = case.conditions
    windows = (
        normalized(
            (clock.seconds_at(minutes_of_day(w.start)), clock.seconds_at(minutes_of_day(w.end)))
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
