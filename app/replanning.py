"""Re-planning a day that changed: the stored request rewritten as of ``now`` (visits done or
running kept as they are, absent agents taking no more visits, changed and new cases), solved
again within a churn budget, and compared with the plan it replaces.

The rewritten request is a plain :class:`PlanRequest`, so a re-plan can itself be re-planned,
edited or evaluated: a visit done or running is pinned to its agent at its position, with a
one-minute window at its start; every other case may start only from ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from app.errors import PlanInputError
from app.replan_schemas import ChurnBudgetIn, PlanChangeOut, PlanDiffOut, ReplanIn, ReplanResponse
from app.schemas import (
    MINUTES_PER_DAY,
    AgentIn,
    CaseIn,
    PlaceIn,
    PlanRequest,
    PlanResponse,
    ShiftIn,
    TimeWindowIn,
    UnassignedOut,
    minutes_of_day,
)

RETIMED_AFTER = dt.timedelta(minutes=1)
"""A visit of the same agent whose start moves by more than this is re-timed."""

CHURN_BUDGET = "churn budget"


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A visit of a stored plan."""

    case_id: str
    agent_id: str
    position: int
    service_start: dt.datetime
    service_end: dt.datetime


def planned_visits(plan: PlanResponse) -> dict[str, PlannedVisit]:
    """The plan's visits by case id."""
    return {
        stop.case_id: PlannedVisit(
            stop.case_id, itinerary.agent_id, k, stop.service_start, stop.service_end
        )
        for itinerary in plan.itineraries
        for k, stop in enumerate(itinerary.stops)
    }


@dataclass(slots=True)
class _Draft:
    """The rewritten request, why each case may change, and cases kept out before solving."""

    request: PlanRequest
    causes: dict[str, str]
    context: str
    dropped: dict[str, UnassignedOut] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)


def replan(
    base_request: PlanRequest,
    base_plan: PlanResponse,
    body: ReplanIn,
    plan: Callable[[PlanRequest], PlanResponse],
    published: PlanResponse | None = None,
) -> tuple[PlanRequest, ReplanResponse]:
    """The new version of ``base_plan`` after the changes of ``body``, planned by ``plan``,
    and the request it answers (to store with it); with the diff against ``published`` too
    (the version the agents have) when that is not ``base_plan``.

    Raises
    ------
    PlanInputError
        If the body names a visit, case or agent the plan does not have, or ``now`` is not
        on the plan's date.
    """
    visits = planned_visits(base_plan)
    draft = _draft(base_request, base_plan, visits, body)
    request = draft.request
    response = plan(request)
    kept, reverted = _within_budget(visits, response, body.churn_budget)
    if reverted:
        absent = set(body.absent_agent_ids)
        request = _pinned_to(draft, visits, kept, reverted, absent)
        for case_id in reverted:
            draft.causes[case_id] = CHURN_BUDGET
        response = plan(request)
    final = _with_dropped(response, draft).model_copy(update={"replan_of": base_plan.plan_id})
    diff = diff_plans(base_plan, final, draft.causes, draft.context)
    published_diff = None
    if published is not None and published.plan_id != base_plan.plan_id:
        earlier = f"an earlier re-plan, since the published version; then {draft.context}"
        published_diff = diff_plans(published, final, draft.causes, earlier)
    return request, ReplanResponse(**dict(final), diff=diff, published_diff=published_diff)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _resolve(
    ids: Sequence[str], visits: dict[str, PlannedVisit], by_visit_id: dict[str, str], name: str
) -> list[str]:
    """Case ids of the visits named (by visit id or case id) in the field ``name``."""
    case_ids = []
    for k, visit_id in enumerate(ids):
        case_id = by_visit_id.get(visit_id, visit_id)
        if case_id not in visits:
            msg = f"the plan has no visit {visit_id!r}"
            raise PlanInputError((name, k), msg)
        case_ids.append(case_id)
    return case_ids


def _after(windows: Sequence[TimeWindowIn], now_min: int) -> list[TimeWindowIn] | None:
    """The parts of ``windows`` (none: all day) from ``now_min`` on; None if none is left."""
    spans = [(minutes_of_day(w.start), minutes_of_day(w.end)) for w in windows] or [
        (0, MINUTES_PER_DAY)
    ]
    left = [
        TimeWindowIn(start=_hhmm(max(start, now_min)), end=_hhmm(end))
        for start, end in spans
        if end > max(start, now_min)
    ]
    return left or None


def _minute_of(start_min: int, windows: Sequence[TimeWindowIn]) -> TimeWindowIn:
    """The one-minute window holding a visit that started in minute ``start_min``, inside
    the case's own window of that start (so it stays there however the seconds fall)."""
    low, high = start_min, min(start_min + 1, MINUTES_PER_DAY)
    for window in windows:
        opens, closes = minutes_of_day(window.start), minutes_of_day(window.end)
        if opens <= start_min <= closes:
            low, high = max(low, opens), min(high, closes)
            break
    if high <= low:
        low = high - 1
    return TimeWindowIn(start=_hhmm(low), end=_hhmm(high))


def _draft(
    base_request: PlanRequest,
    base_plan: PlanResponse,
    visits: dict[str, PlannedVisit],
    body: ReplanIn,
) -> _Draft:
    timezone = ZoneInfo(base_plan.timezone)
    now = body.now.astimezone(timezone)
    if now.date() != base_plan.date:
        msg = f"{now.isoformat()} is not on the plan's date {base_plan.date.isoformat()}"
        raise PlanInputError(("now",), msg)
    now_min = now.hour * 60 + now.minute + (1 if now.second or now.microsecond else 0)
    by_visit_id = {stop.visit_id: stop.case_id for it in base_plan.itineraries for stop in it.stops}
    agent_ids = {agent.id for agent in base_request.agents}
    for k, agent_id in enumerate(body.absent_agent_ids):
        if agent_id not in agent_ids:
            raise PlanInputError(("absent_agent_ids", k), f"the plan has no agent {agent_id!r}")
    for agent_id in body.agent_positions:
        if agent_id not in agent_ids:
            msg = f"the plan has no agent {agent_id!r}"
            raise PlanInputError(("agent_positions", agent_id), msg)
    overruns = dict(
        zip(
            _resolve(list(body.overruns), visits, by_visit_id, "overruns"),
            body.overruns.values(),
            strict=True,
        )
    )
    frozen = set(_resolve(body.done_visit_ids, visits, by_visit_id, "done_visit_ids"))
    frozen |= set(
        _resolve(body.in_progress_visit_ids, visits, by_visit_id, "in_progress_visit_ids")
    )
    frozen |= set(overruns)
    announced = set(_resolve(body.announced_visit_ids, visits, by_visit_id, "announced_visit_ids"))
    case_ids = {case.id for case in base_request.cases}
    for case_id in body.case_changes:
        if case_id not in case_ids:
            raise PlanInputError(("case_changes", case_id), f"the plan has no case {case_id!r}")
        if case_id in frozen:
            msg = f"case {case_id!r} is done or in progress: it cannot change"
            raise PlanInputError(("case_changes", case_id), msg)
    absent = set(body.absent_agent_ids)

    causes: dict[str, str] = {}
    context: list[str] = []
    for agent_id in body.absent_agent_ids:
        context.append(f"agent {agent_id} absent from {_hhmm(now_min)}")
        for visit in visits.values():
            if visit.agent_id == agent_id and visit.case_id not in frozen:
                causes[visit.case_id] = "agent absent"
    for case_id in overruns:
        late = visits[case_id]
        cause = f"overrun of {late.agent_id}'s visit {case_id}"
        context.append(cause)
        for visit in visits.values():
            if visit.agent_id == late.agent_id and visit.position > late.position:
                causes.setdefault(visit.case_id, cause)
    for case_id, change in body.case_changes.items():
        what = [
            name
            for name, value in (
                ("window", change.time_windows),
                ("duration", change.service_minutes),
            )
            if value is not None
        ]
        cause = f"{' and '.join(what) or 'nothing'} changed"
        causes[case_id] = cause
        context.append(f"case {case_id}: {cause}")

    draft = _Draft(base_request, causes, "", frozen=frozen)
    cases: list[CaseIn] = []
    for case in base_request.cases:
        planned = visits.get(case.id)
        if case.id in frozen and planned is not None:
            start = planned.service_start.astimezone(timezone)
            start_min = start.hour * 60 + start.minute
            service = case.service_minutes
            if case.id in overruns:
                overrun = overruns[case.id]
                if overrun.ends_at is not None:
                    seconds = (overrun.ends_at - planned.service_start).total_seconds()
                    service = max(service, -int(-seconds // 60))
                else:
                    service += overrun.extra_minutes or 0
            window = _minute_of(start_min, case.time_windows)
            cases.append(
                case.model_copy(
                    update={
                        "pinned_agent_id": planned.agent_id,
                        "locked_position": planned.position,
                        "time_windows": [window],
                        "service_minutes": service,
                    }
                )
            )
            continue
        edit = body.case_changes.get(case.id)
        windows = case.time_windows
        service = case.service_minutes
        if edit is not None:
            windows = edit.time_windows if edit.time_windows is not None else windows
            service = edit.service_minutes if edit.service_minutes is not None else service
        left = _after(windows, now_min)
        if left is None:
            draft.dropped[case.id] = UnassignedOut(
                case_id=case.id,
                reason="window_passed",
                detail=f"no time window of the case is open after {_hhmm(now_min)}",
                value=case.value,
            )
            causes.setdefault(case.id, "window passed")
            continue
        pinned = case.pinned_agent_id
        if (
            case.id in announced
            and not body.allow_moving_announced
            and planned is not None
            and planned.agent_id not in absent
        ):
            pinned = planned.agent_id
        cases.append(
            case.model_copy(
                update={
                    "time_windows": left,
                    "service_minutes": service,
                    "pinned_agent_id": pinned,
                    "locked_position": None,
                }
            )
        )
    cases += _new_cases(body, case_ids, agent_ids, now_min, draft)
    if body.new_cases:
        context.append(f"{len(body.new_cases)} new case(s)")

    frozen_count = Counter(visits[case_id].agent_id for case_id in frozen)
    agents: list[AgentIn] = []
    for agent in base_request.agents:
        update: dict[str, object] = {}
        if agent.id in absent:
            limit = frozen_count[agent.id]
            update["max_visits"] = (
                limit if agent.max_visits is None else min(limit, agent.max_visits)
            )
        elif frozen_count[agent.id] == 0:
            shift_start = max(minutes_of_day(agent.shift.start), now_min)
            if shift_start >= minutes_of_day(agent.shift.end):
                update["max_visits"] = 0
            else:
                update["shift"] = ShiftIn(start=_hhmm(shift_start), end=agent.shift.end)
                position = body.agent_positions.get(agent.id)
                if position is not None:
                    update["start"] = PlaceIn(lat=position.lat, lon=position.lon)
                    update["end"] = agent.end or agent.start
        agents.append(agent.model_copy(update=update))
    draft.request = PlanRequest(
        date=base_request.date,
        region=base_request.region,
        compliance_profiles=base_request.compliance_profiles,
        cases=cases,
        agents=agents,
        options=base_request.options,
    )
    draft.context = "re-planned after: " + "; ".join(context) if context else "re-optimised"
    return draft


def _new_cases(
    body: ReplanIn, case_ids: set[str], agent_ids: set[str], now_min: int, draft: _Draft
) -> list[CaseIn]:
    cases = []
    for k, case in enumerate(body.new_cases):
        if case.id in case_ids:
            msg = f"the plan already has a case {case.id!r}"
            raise PlanInputError(("new_cases", k, "id"), msg)
        case_ids.add(case.id)
        if case.pinned_agent_id is not None and case.pinned_agent_id not in agent_ids:
            msg = f"pinned to {case.pinned_agent_id!r}, who is not among the agents"
            raise PlanInputError(("new_cases", k, "pinned_agent_id"), msg)
        draft.causes[case.id] = "new case"
        left = _after(case.time_windows, now_min)
        if left is None:
            draft.dropped[case.id] = UnassignedOut(
                case_id=case.id,
                reason="window_passed",
                detail=f"no time window of the case is open after {_hhmm(now_min)}",
                value=case.value,
            )
            continue
        cases.append(case.model_copy(update={"time_windows": left, "locked_position": None}))
    return cases


def _moves(visits: dict[str, PlannedVisit], plan: PlanResponse) -> list[tuple[str, str, str]]:
    """(case, from agent, to agent) of the visits ``plan`` gives another agent, by start."""
    now = planned_visits(plan)
    moved = [
        (visit.service_start, case_id, visits[case_id].agent_id, visit.agent_id)
        for case_id, visit in now.items()
        if case_id in visits and visits[case_id].agent_id != visit.agent_id
    ]
    return [(case_id, old, new) for _, case_id, old, new in sorted(moved)]


def _within_budget(
    visits: dict[str, PlannedVisit], plan: PlanResponse, budget: ChurnBudgetIn
) -> tuple[dict[str, str], set[str]]:
    """The moves of ``plan`` kept (case -> new agent), earliest first, and those over the
    budget."""
    kept: dict[str, str] = {}
    reverted: set[str] = set()
    per_agent: Counter[str] = Counter()
    for case_id, old, new in _moves(visits, plan):
        fits = budget.max_moved_total is None or len(kept) < budget.max_moved_total
        if budget.max_moved_per_agent is not None:
            fits = fits and max(per_agent[old], per_agent[new]) < budget.max_moved_per_agent
        if fits:
            kept[case_id] = new
            per_agent.update((old, new))
        else:
            reverted.add(case_id)
    return kept, reverted


def _pinned_to(
    draft: _Draft,
    visits: dict[str, PlannedVisit],
    kept: dict[str, str],
    reverted: set[str],
    absent: set[str],
) -> PlanRequest:
    """The draft's request with every visit of the old plan pinned to the agent it may have
    within the budget; a visit over the budget whose agent is absent is kept out."""
    cases = []
    for case in draft.request.cases:
        visit = visits.get(case.id)
        if visit is None or case.id in draft.frozen:
            cases.append(case)
            continue
        if case.id in reverted and visit.agent_id in absent:
            draft.dropped[case.id] = UnassignedOut(
                case_id=case.id,
                reason="churn_budget",
                detail=f"moving it from absent agent {visit.agent_id} would exceed the churn "
                "budget",
                value=case.value,
            )
            continue
        agent_id = kept.get(case.id, visit.agent_id)
        cases.append(case.model_copy(update={"pinned_agent_id": agent_id}))
    return draft.request.model_copy(update={"cases": cases})


def _with_dropped(plan: PlanResponse, draft: _Draft) -> PlanResponse:
    """``plan`` with the cases kept out before solving among the unassigned."""
    if not draft.dropped:
        return plan
    dropped = list(draft.dropped.values())
    summary = plan.summary.model_copy(
        update={
            "cases": plan.summary.cases + len(dropped),
            "unassigned": plan.summary.unassigned + len(dropped),
            "lost_value": round(plan.summary.lost_value + sum(u.value or 0 for u in dropped), 2),
        }
    )
    return plan.model_copy(update={"unassigned": [*plan.unassigned, *dropped], "summary": summary})


def diff_plans(
    old: PlanResponse, new: PlanResponse, causes: dict[str, str], context: str
) -> PlanDiffOut:
    """What changed from ``old`` to ``new``, each change with its cause (else ``context``)."""
    before = planned_visits(old)
    after = planned_visits(new)
    unassigned = {entry.case_id: entry for entry in new.unassigned}
    diff = PlanDiffOut(against_plan_id=old.plan_id, added=[], removed=[], moved=[], retimed=[])

    def when(case_id: str) -> tuple[dt.datetime, str]:
        visit = after.get(case_id) or before[case_id]
        return visit.service_start, case_id

    for case_id in sorted(before.keys() | after.keys(), key=when):
        was, now = before.get(case_id), after.get(case_id)
        reason = causes.get(case_id, context)
        change = PlanChangeOut(
            case_id=case_id,
            change="added",
            reason=reason,
            from_agent_id=None if was is None else was.agent_id,
            to_agent_id=None if now is None else now.agent_id,
            old_service_start=None if was is None else was.service_start,
            new_service_start=None if now is None else now.service_start,
        )
        if was is None:
            diff.added.append(change)
        elif now is None:
            why = unassigned.get(case_id)
            detail = f"{why.reason}: {why.detail}" if why else None
            diff.removed.append(change.model_copy(update={"change": "removed", "detail": detail}))
        elif was.agent_id != now.agent_id:
            diff.moved.append(change.model_copy(update={"change": "moved"}))
        elif abs(now.service_start - was.service_start) > RETIMED_AFTER:
            diff.retimed.append(change.model_copy(update={"change": "retimed"}))
    return diff
