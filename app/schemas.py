"""The HTTP contract: request and response bodies of the public API.

Field names are fixed by the walking-skeleton contract (issue 2); later fields extend it in its
style: snake_case, units in the name, local "HH:MM" times of day, ISO 8601 instants with offset.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import typing
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

MINUTES_PER_DAY = 24 * 60
MAX_HORIZON_DAYS = 14
"""Most days one plan may cover."""
LAST_PLAN_DATE = dt.date(9999, 12, 1)
"""Plans end before it: their days and local times must stay within the calendar."""

TimeOfDay = Annotated[
    str,
    Field(
        pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$",
        description='Local time of day, "HH:MM" (00:00 to 24:00).',
        examples=["09:00"],
    ),
]
Identifier = Annotated[str, Field(min_length=1, max_length=100, examples=["C-1"])]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_iso_date(value: object) -> object:
    """Only "YYYY-MM-DD" is a date here: no timestamps, no other layouts."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        msg = f"expected a date as YYYY-MM-DD, got {value!r}"
        raise ValueError(msg)
    if not isinstance(value, str | dt.date):
        msg = "expected a date as YYYY-MM-DD"
        raise ValueError(msg)  # pydantic would read a number as a Unix timestamp
    return value


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_parse_iso_date),
    Field(description="Calendar date, YYYY-MM-DD.", examples=["2026-12-01"]),
]


def minutes_of_day(time_of_day: str) -> int:
    """Minutes after midnight of an "HH:MM" string (already checked by :data:`TimeOfDay`)."""
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


def _is_number(annotation: object) -> bool:
    if annotation in (int, float):
        return True
    return any(_is_number(arg) for arg in typing.get_args(annotation) if arg is not bool)


class StrictModel(BaseModel):
    """Request parts: unknown fields are an error, not silently dropped, and a number field
    takes no true/false (pydantic would read them as 1 and 0)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _is_number(field.annotation):
            msg = "a number, not true or false"
            raise ValueError(msg)
        return value


class LatLonIn(StrictModel):
    """A WGS84 point."""

    lat: float = Field(ge=-90, le=90, examples=[47.14])
    lon: float = Field(ge=-180, le=180, examples=[9.52])


class AddressPartsIn(StrictModel):
    """An address given by its parts; any may be missing, but not all of street, postcode
    and city."""

    street: str | None = Field(default=None, min_length=1, max_length=200)
    housenumber: str | None = Field(default=None, min_length=1, max_length=20)
    postcode: str | None = Field(default=None, min_length=1, max_length=20)
    city: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _says_where(self) -> AddressPartsIn:
        if self.street is None and self.postcode is None and self.city is None:
            msg = "give at least a street, a postcode or a city"
            raise ValueError(msg)
        return self


AddressIn = Annotated[
    Annotated[str, Field(min_length=1, max_length=500)] | AddressPartsIn,
    Field(
        description='Free text ("street housenumber, postcode town") or the parts.',
        examples=["Peter-Kaiser-Platz 1, 9490 Vaduz"],
    ),
]
"""An address as a planner has it: one line of text, or columns of a spreadsheet."""


def address_text(address: str | AddressPartsIn) -> str:
    """The address as one line, for people."""
    if isinstance(address, str):
        return address
    head = " ".join(part for part in (address.street, address.housenumber) if part)
    tail = " ".join(part for part in (address.postcode, address.city) if part)
    return ", ".join(part for part in (head, tail) if part)


class PlaceIn(StrictModel):
    """Either a point (``lat`` and ``lon``) or an ``address``, not both."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: AddressIn | None = None

    @model_validator(mode="after")
    def _point_or_address(self) -> PlaceIn:
        has_point = self.lat is not None and self.lon is not None
        if (self.lat is None) != (self.lon is None):
            msg = "give both lat and lon"
            raise ValueError(msg)
        if has_point == (self.address is not None):
            msg = "give either lat/lon or address, not both and not neither"
            raise ValueError(msg)
        return self


class _Interval(StrictModel):
    start: TimeOfDay
    end: TimeOfDay

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and minutes_of_day(end) <= minutes_of_day(start):
            msg = f"end {end} must be after start {start}"
            raise ValueError(msg)
        return end


class TimeWindowIn(_Interval):
    """When service may start, local time on the plan's date."""


class ShiftIn(_Interval):
    """When the agent may leave the start and must be back at the end, local time."""


class DatedShiftIn(ShiftIn):
    """An agent's hours on one date of a plan of several days, instead of its usual shift."""

    date: IsoDate


RESERVED_SKILL_PREFIX = "doorstep:"
"""Skills the service gives itself (a team's size); a request may not use them."""


def _not_reserved(skill: str) -> str:
    if skill.startswith(RESERVED_SKILL_PREFIX):
        msg = f"skills starting with {RESERVED_SKILL_PREFIX!r} are reserved"
        raise ValueError(msg)
    return skill


Skill = Annotated[
    str, Field(min_length=1, max_length=50, examples=["senior"]), AfterValidator(_not_reserved)
]
ProfileId = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,39}$", examples=["US-FDCPA"])]
PlaceType = Literal["home", "workplace", "other"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Money = Annotated[float, Field(ge=0, le=1_000_000, description="Money, in the plan's currency.")]


class CaseConditionsIn(StrictModel):
    """Do-not-visit conditions on record; which of them forbid a visit is up to the
    compliance profiles that apply."""

    attorney_on_record: bool = False
    cease_contact: bool = Field(default=False, description="A written cease-contact request.")
    dispute_open: bool = False
    vulnerable: bool = Field(default=False, description="Vulnerability known or suspected.")
    capacity_concern: bool = Field(default=False, description="May lack mental capacity.")
    bereavement_until: IsoDate | None = Field(
        default=None, description="Bereavement or calamity: no visits up to this day."
    )


class InconvenientTimeIn(_Interval):
    """A time the borrower declared inconvenient, local time, on some weekdays."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1, max_length=7)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME = re.compile(r".*\S.*")
_PHONE = re.compile(r"[0-9 +()/-]*[0-9][0-9 +()/-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _checked(pattern: re.Pattern[str], problem: str) -> AfterValidator:
    """A validator refusing text that ``pattern`` does not match whole, or with control
    characters, saying ``problem`` (and not echoing the value, which is personal data)."""

    def check(text: str) -> str:
        if _CONTROL.search(text) or not pattern.fullmatch(text):
            raise ValueError(problem)
        return text

    return AfterValidator(check)


Phone = Annotated[
    str,
    Field(min_length=3, max_length=40, examples=["+423 790 12 34"]),
    _checked(_PHONE, "a phone number has digits, spaces and + - ( ) / only"),
]
Email = Annotated[
    str,
    Field(max_length=254, examples=["anna.beck@example.li"]),
    _checked(_EMAIL, "not an e-mail address (name@domain)"),
]
LanguageTag = Annotated[
    str,
    Field(max_length=35, examples=["de-CH"]),
    _checked(_LANGUAGE, 'not a language tag such as "de" or "de-CH"'),
]


class BorrowerIn(StrictModel):
    """Who is visited: the borrower's contact, for the agent at the door. Every field is
    personal data: it goes into the plan and the agent's day, never into the logs."""

    name: Annotated[
        str, _checked(_NAME, "a name needs a visible character and no control ones")
    ] = Field(
        min_length=1,
        max_length=200,
        description="The borrower's name, as the agent asks for it at the door. Personal data.",
        examples=["Anna Beck"],
    )
    phone: Phone | None = Field(
        default=None, description="To call ahead: digits, spaces and + - ( ) /. Personal data."
    )
    email: Email | None = Field(default=None, description="An e-mail address. Personal data.")
    language: LanguageTag | None = Field(
        default=None,
        description='The language to speak, a BCP 47 tag such as "de" or "de-CH". Personal data.',
    )


class CaseIn(StrictModel):
    """One overdue case to visit: a place (``address`` or ``location``), a duration, windows,
    what the visit is worth and who may make it."""

    id: Identifier
    address: AddressIn | None = None
    location: LatLonIn | None = None
    service_minutes: int = Field(default=0, ge=0, le=MINUTES_PER_DAY)
    time_windows: list[TimeWindowIn] = Field(
        default_factory=list,
        max_length=20,
        description="Service must start inside one of them; empty means any time in the shift.",
    )
    preferred_window: TimeWindowIn | None = Field(
        default=None, description="Soft: starting after its end costs lateness_cost_per_hour."
    )
    lateness_cost_per_hour: Money = 0.0
    value: Money | None = Field(
        default=None,
        description=(
            "Expected recovery of the visit: leaving it out loses this much; a visit that "
            "costs more than it is worth is left out. Absent: visit whenever possible."
        ),
    )
    required_skills: list[Skill] = Field(default_factory=list, max_length=20)
    pinned_agent_id: Identifier | None = Field(
        default=None, description="Only this agent may make the visit."
    )
    locked_position: int | None = Field(
        default=None,
        ge=0,
        description=(
            "With pinned_agent_id: the agent's locked visits keep this order (a plan edited "
            "by hand); others may go between them."
        ),
    )
    compliance_profiles: list[ProfileId] = Field(
        default_factory=list,
        max_length=10,
        description="Profiles for this case, on top of the region's and the plan's.",
    )
    place_type: PlaceType = Field(default="home", description="What kind of place the visit is.")
    conditions: CaseConditionsIn = Field(default_factory=CaseConditionsIn)
    inconvenient_times: list[InconvenientTimeIn] = Field(default_factory=list, max_length=20)
    inconvenient_places: list[PlaceType] = Field(
        default_factory=list, max_length=3, description="Places the borrower declared inconvenient."
    )
    notice_sent_at: AwareDatetime | None = Field(
        default=None, description="When the borrower was given notice of a visit."
    )
    staff_required: int = Field(
        default=1, ge=1, le=10, description="Staff the visit needs; profiles may ask more."
    )
    amount_overdue: Money | None = Field(
        default=None,
        description="With no value given, the visit's value is estimated from it (README).",
    )
    days_overdue: int | None = Field(default=None, ge=0, le=100_000)
    borrower: BorrowerIn | None = Field(
        default=None, description="Who is visited and how to reach them. Personal data."
    )
    earliest_date: IsoDate | None = Field(
        default=None, description="In a plan of several days: visit on this date or later."
    )
    latest_date: IsoDate | None = Field(
        default=None, description="In a plan of several days: visit on this date or earlier."
    )

    @model_validator(mode="after")
    def _address_or_location(self) -> CaseIn:
        if (self.address is None) == (self.location is None):
            msg = "give either address or location, not both and not neither"
            raise ValueError(msg)
        if self.locked_position is not None and self.pinned_agent_id is None:
            msg = "locked_position needs pinned_agent_id"
            raise ValueError(msg)
        if self.earliest_date and self.latest_date and self.latest_date < self.earliest_date:
            msg = f"latest_date {self.latest_date} is before earliest_date {self.earliest_date}"
            raise ValueError(msg)
        ordered = sorted(self.time_windows, key=lambda w: minutes_of_day(w.start))
        for before, after in itertools.pairwise(ordered):
            if minutes_of_day(after.start) <= minutes_of_day(before.end):
                msg = (
                    f"time windows {before.start}-{before.end} and "
                    f"{after.start}-{after.end} overlap"
                )
                raise ValueError(msg)
        return self


TravelMode = Literal["drive", "walk", "bike", "escooter"]


class BreakIn(StrictModel):
    """A pause the agent takes between visits, starting between the two times (local)."""

    earliest_start: TimeOfDay
    latest_start: TimeOfDay
    duration_minutes: int = Field(gt=0, le=MINUTES_PER_DAY)

    @field_validator("latest_start")
    @classmethod
    def _not_before_earliest(cls, latest: str, info: ValidationInfo) -> str:
        earliest = info.data.get("earliest_start")
        if earliest is not None and minutes_of_day(latest) < minutes_of_day(earliest):
            msg = f"latest_start {latest} must not be before earliest_start {earliest}"
            raise ValueError(msg)
        return latest


class AgentIn(StrictModel):
    """A field agent's day: where it starts and ends, its shift, how it travels, what it can
    do and what it costs."""

    id: Identifier
    start: PlaceIn
    end: PlaceIn | None = Field(default=None, description="Absent means back to the start.")
    shift: ShiftIn
    travel_mode: TravelMode = Field(
        default="drive", description="Road network and speeds the agent travels by."
    )
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    max_visits: int | None = Field(default=None, ge=0, le=1000)
    max_working_minutes: int | None = Field(
        default=None, gt=0, le=MINUTES_PER_DAY, description="Leaving the start to the end."
    )
    max_travel_minutes: int | None = Field(default=None, gt=0, le=MINUTES_PER_DAY)
    breaks: list[BreakIn] = Field(default_factory=list, max_length=5)
    fixed_cost: Money = Field(default=0.0, description="Cost of using the agent at all.")
    cost_per_hour: Money | None = Field(
        default=None, description="Per hour of working time; absent: the server default."
    )
    cost_per_km: Money | None = Field(
        default=None, description="Per km travelled; absent: the server default."
    )
    team_size: int = Field(
        default=1, ge=1, le=10, description="Staff who make each visit together (a team)."
    )
    days_off: list[IsoDate] = Field(
        default_factory=list,
        max_length=366,
        description="In a plan of several days: dates the agent does not work.",
    )
    shifts: list[DatedShiftIn] = Field(
        default_factory=list,
        max_length=MAX_HORIZON_DAYS,
        description="In a plan of several days: other hours than `shift` on these dates.",
    )

    @model_validator(mode="after")
    def _one_shift_a_date(self) -> AgentIn:
        dates = [shift.date for shift in self.shifts]
        twice = sorted({d for d in dates if dates.count(d) > 1})
        if twice:
            msg = f"more than one shift on {', '.join(d.isoformat() for d in twice)}"
            raise ValueError(msg)
        off = sorted(set(dates) & set(self.days_off))
        if off:
            msg = f"a shift on a day off: {', '.join(d.isoformat() for d in off)}"
            raise ValueError(msg)
        return self


class OptionsIn(StrictModel):
    """How the plan is searched."""

    time_limit_seconds: float | None = Field(
        default=None, gt=0, le=300, description="Search time; absent means the server default."
    )
    include_geometry: bool = Field(
        default=True, description="Give each leg's road path as a GeoJSON LineString."
    )
    balance_cost_per_visit: Money = Field(
        default=0.0,
        description="Spread work: cost per visit between the busiest and least busy agent.",
    )


class PlanRequest(StrictModel):
    """Body of ``POST /plan``: a day's cases and agents in one region."""

    # Dumped as sent ("async", not the Python name), so a stored request reads back.
    model_config = ConfigDict(serialize_by_alias=True)

    date: IsoDate
    horizon_days: int = Field(
        default=1,
        ge=1,
        le=MAX_HORIZON_DAYS,
        description=(
            "Days planned, from `date` on. Above 1 the plan chooses each case's day within "
            "its earliest_date and latest_date, under the visiting rules of that day."
        ),
    )
    region: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="Region name; absent means the default region.",
    )
    compliance_profiles: list[ProfileId] = Field(
        default_factory=list,
        max_length=10,
        description="Profiles for every case, on top of the region's.",
    )
    cases: list[CaseIn] = Field(default_factory=list, max_length=5000)
    agents: list[AgentIn] = Field(min_length=1, max_length=500)
    options: OptionsIn = Field(default_factory=OptionsIn)
    async_: bool = Field(
        default=False,
        alias="async",
        strict=True,
        description=(
            "Solve in the background: answer 202 with a job to poll (GET /jobs/{job_id}) "
            "instead of waiting for the plan. Plans of more cases than the server's "
            "ASYNC_ABOVE_CASES always are."
        ),
    )

    @model_validator(mode="after")
    def _pins_name_agents(self) -> PlanRequest:
        agent_ids = {agent.id for agent in self.agents}
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "unknown_agent",
                    "pinned to {agent!r}, who is not among the agents",
                    {"agent": case.pinned_agent_id},
                ),
                loc=("cases", position, "pinned_agent_id"),
                input=case.pinned_agent_id,
            )
            for position, case in enumerate(self.cases)
            if case.pinned_agent_id is not None and case.pinned_agent_id not in agent_ids
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @property
    def dates(self) -> list[dt.date]:
        """The dates the plan covers, in order."""
        return [self.date + dt.timedelta(days=k) for k in range(self.horizon_days)]

    @model_validator(mode="after")
    def _shifts_and_locks_in_the_horizon(self) -> PlanRequest:
        if self.date > LAST_PLAN_DATE - dt.timedelta(days=self.horizon_days):
            error = _custom_error(
                "date_out_of_range",
                f"the plan's days must end before {LAST_PLAN_DATE}",
                ("date",),
                self.date.isoformat(),
            )
            raise ValidationError.from_exception_data(type(self).__name__, [error])
        dates = set(self.dates)
        errors = [
            _custom_error(
                "date_outside_plan",
                f"{shift.date} is not among the plan's {self.horizon_days} days from {self.date}",
                ("agents", a, "shifts", k, "date"),
                shift.date.isoformat(),
            )
            for a, agent in enumerate(self.agents)
            for k, shift in enumerate(agent.shifts)
            if shift.date not in dates
        ]
        if self.horizon_days > 1:
            errors += [
                _custom_error(
                    "single_day_only",
                    "locked positions keep the order of one day's hand-edited plan: "
                    "not in a plan of several days",
                    ("cases", c, "locked_position"),
                    case.locked_position,
                )
                for c, case in enumerate(self.cases)
                if case.locked_position is not None
            ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanRequest:
        errors: list[InitErrorDetails] = []
        ids = {"cases": [c.id for c in self.cases], "agents": [a.id for a in self.agents]}
        for kind, kind_ids in ids.items():
            first_at: dict[str, int] = {}
            for position, item_id in enumerate(kind_ids):
                if item_id in first_at:
                    errors.append(_duplicate_id(kind, position, item_id, first_at[item_id]))
                first_at.setdefault(item_id, position)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _custom_error(
    kind: str, message: str, loc: tuple[str | int, ...], value: object
) -> InitErrorDetails:
    # The message is data, not a template: braces in it stay as they are.
    error = PydanticCustomError(kind, "{message}", {"message": message})
    return InitErrorDetails(type=error, loc=loc, input=value)


def _duplicate_id(kind: str, position: int, item_id: str, first: int) -> InitErrorDetails:
    error = PydanticCustomError(
        "duplicate_id",
        "duplicate id {id!r}: already used by {kind}[{first}]",
        {"id": item_id, "kind": kind, "first": first},
    )
    return InitErrorDetails(type=error, loc=(kind, position, "id"), input=item_id)


class LatLonOut(BaseModel):
    """A WGS84 point."""

    lat: float
    lon: float


class LineStringOut(BaseModel):
    """A GeoJSON LineString: the road path of one leg, as [lon, lat] pairs."""

    type: Literal["LineString"] = "LineString"
    coordinates: list[tuple[float, float]]


class GeocodeOut(BaseModel):
    """How a case's address was placed on the map."""

    matched: str | None = Field(description="The address found, as the region's data has it.")
    precision: str = Field(description="rooftop, interpolated, street or locality.")
    confidence: float = Field(ge=0, le=1)
    low_confidence: bool = Field(description="Below the server's threshold: check the address.")


class StopOut(BaseModel):
    """One visit on an agent's day. Travel is from the previous stop or the agent's start."""

    visit_id: str = Field(description="Names the visit when its outcome is recorded.")
    case_id: str
    location: LatLonOut
    address: str | None = Field(default=None, description="The case's address, as one line.")
    geocode: GeocodeOut | None = Field(default=None, description="Absent for given locations.")
    snap_distance_meters: int = Field(description="From the case's point to the road used.")
    arrival: dt.datetime
    service_start: dt.datetime
    service_end: dt.datetime
    wait_seconds: int
    late_seconds: int = Field(description="Service start after the preferred window's end.")
    travel_seconds: int
    distance_meters: int
    geometry: LineStringOut | None = None
    borrower_name: str | None = Field(
        default=None, description="The case's borrower, if given. Personal data."
    )
    borrower_phone: str | None = Field(
        default=None, description="The borrower's phone, if given. Personal data."
    )


class BreakOut(BaseModel):
    """A break the agent takes, between visits."""

    start: dt.datetime
    end: dt.datetime


class CostsOut(BaseModel):
    """What one agent's day costs, in the plan's currency."""

    fixed: float
    time: float = Field(description="Working time at the agent's hourly cost.")
    distance: float = Field(description="Distance at the agent's cost per km.")
    lateness: float = Field(description="Visits started after their preferred window.")
    total: float


class ItineraryOut(BaseModel):
    """One agent's day. Totals include the last leg back to the end place."""

    agent_id: str
    date: dt.date = Field(description="The day of this itinerary.")
    travel_mode: TravelMode
    stops: list[StopOut]
    start_time: dt.datetime
    end_time: dt.datetime
    start_location: LatLonOut
    end_location: LatLonOut
    return_travel_seconds: int
    return_distance_meters: int
    return_geometry: LineStringOut | None = None
    breaks: list[BreakOut]
    costs: CostsOut
    working_seconds: int = Field(description="Leaving the start to reaching the end.")
    total_travel_seconds: int
    total_distance_meters: int
    total_service_seconds: int
    total_wait_seconds: int


class HintOut(BaseModel):
    """One change that would let a left-out case into the plan."""

    kind: str = Field(
        description="extend_shift, widen_window, drop_visit, add_skill, unpin or raise_value."
    )
    detail: str
    agent_id: str | None = None
    case_id: str | None = Field(default=None, description="The other case, for drop_visit.")
    minutes: int | None = Field(default=None, description="How far a shift or window moves.")
    new_time: dt.datetime | None = Field(
        default=None, description="When the shift would end or the window reach."
    )
    amount: float | None = Field(default=None, description="For raise_value: the value needed.")


class UnassignedOut(BaseModel):
    """A case no agent visits, with a stable reason code and a sentence for people."""

    case_id: str
    reason: str
    detail: str
    profile_id: str | None = Field(
        default=None, description="reason compliance: the profile whose rule excludes it."
    )
    rule_id: str | None = Field(default=None, description="reason compliance: the rule.")
    value: float | None = Field(default=None, description="The case's value, lost unvisited.")
    candidates: list[str] = Field(
        default_factory=list, description="For an ambiguous address: the places it matches."
    )
    hints: list[HintOut] = Field(
        default_factory=list, description="Single changes found that would let it in."
    )


class SummaryOut(BaseModel):
    """Key figures of the plan."""

    cases: int
    assigned: int
    unassigned: int
    agents: int
    agents_used: int
    total_travel_seconds: int
    total_distance_meters: int
    total_service_seconds: int
    total_wait_seconds: int
    total_cost: float = Field(description="The agents' days: fixed, time, distance, lateness.")
    lost_value: float = Field(description="Value of the cases with a value left unvisited.")
    expected_recovery: float = Field(description="Value of the cases with a value visited.")
    recovery_per_cost: float | None = Field(
        description="expected_recovery / total_cost; absent when nothing costs."
    )


class AppliedProfileOut(BaseModel):
    """A compliance profile version a plan applied."""

    id: str
    version: int
    jurisdiction: str
    title: str
    binding_level: str


class ExclusionOut(BaseModel):
    """A case a compliance rule keeps out of the plan."""

    case_id: str
    profile_id: str
    profile_version: int
    rule_id: str
    detail: str


class ComplianceReportOut(BaseModel):
    """Which rules the plan applied and whom they excluded."""

    profiles: list[AppliedProfileOut]
    excluded: list[ExclusionOut]
    cases_checked: int = Field(description="Cases located and checked against the rules.")
    conduct: list[str] = Field(description="The profiles' conduct checklist for the agents.")


class HistoryEffectOut(BaseModel):
    """How a case's visit history changed its planning."""

    case_id: str
    effect: str = Field(
        description="follow_up, team_required, prefer_time_of_day or estimated_value."
    )
    detail: str


class SearchStageOut(BaseModel):
    """One engine's part of the search that made a plan."""

    engine: str
    seed: int
    steps: int = Field(description="PyVRP iterations or OR-Tools solutions it ran.")


class PlanRunOut(BaseModel):
    """What made the plan, so that ``POST /plans/{plan_id}/replay`` can make it again."""

    solver_version: str = Field(description="Doorstep's and its search engines' versions.")
    inputs_sha256: str = Field(
        description="The solver's inputs: visits, agents, windows, costs and travel matrices."
    )
    matrix_sha256: str = Field(description="The travel time and distance matrices alone.")
    seed: int
    history_as_of: dt.datetime | None = Field(
        description="The visit history the plan used: outcomes recorded by this instant."
    )
    search: list[SearchStageOut] | None = Field(
        description=(
            "The search, counted in steps; absent for a plan split into territories (solved "
            "in parallel against the clock), which cannot be replayed."
        )
    )
    repair_steps: int | None = Field(
        default=None, description="Where the repair's time ran out; absent: it finished."
    )


class TerritoryOut(BaseModel):
    """One territory of a split plan, as its own search left it."""

    agent_ids: list[str] = Field(description="Its agents (in a plan of several days: days).")
    case_ids: list[str]
    assigned: int
    cost: float = Field(description="Its plan's objective: costs plus the value left out.")
    solve_seconds: float
    solved_by: str = Field(description="The worker that solved it: host and process id.")


class SplitOut(BaseModel):
    """How a large plan was split into territories, solved and joined."""

    territories: list[TerritoryOut]
    workers: int = Field(description="Territories solved at once.")
    cost_joined: float = Field(description="The territories' plans put together.")
    border_pairs: int = Field(description="Neighbouring territories re-solved together.")
    border_improved: int = Field(description="Of them, those that made the plan cheaper.")
    split_seconds: float
    territories_seconds: float
    border_seconds: float


class PlanResponse(BaseModel):
    """The plan of a day (or of several): an itinerary per agent and day, and every case not
    visited, with its reason."""

    plan_id: str
    date: dt.date
    horizon_days: int = Field(default=1, description="Days planned, from `date` on.")
    region: str
    timezone: str
    itineraries: list[ItineraryOut]
    unassigned: list[UnassignedOut]
    summary: SummaryOut
    compliance: ComplianceReportOut
    history_effects: list[HistoryEffectOut]
    published_at: dt.datetime | None = Field(
        default=None, description="When the plan was published to its agents; absent: a draft."
    )
    replan_of: str | None = Field(
        default=None, description="The plan this one re-plans (POST /plans/{plan_id}/replan)."
    )
    run: PlanRunOut | None = Field(
        default=None, description="What made the plan; absent in plans stored before it was kept."
    )
    split: SplitOut | None = Field(
        default=None,
        description="How the plan was split into territories (above SPLIT_ABOVE_CASES cases).",
    )

    @model_validator(mode="before")
    @classmethod
    def _itineraries_of_the_plans_date(cls, data: Any) -> Any:
        """Itineraries stored before plans of several days carry no date: the plan's."""
        if isinstance(data, dict) and isinstance(data.get("itineraries"), list):
            dated = [
                {"date": data.get("date"), **itinerary}
                if isinstance(itinerary, dict)
                else itinerary
                for itinerary in data["itineraries"]
            ]
            return {**data, "itineraries": dated}
        return data


class ReplayOut(BaseModel):
    """Answer of ``POST /plans/{plan_id}/replay``: the plan made again from its stored inputs
    and run record, and whether it is the stored plan."""

    plan_id: str
    identical: bool = Field(
        description="Same itineraries (visit ids aside), unassigned cases and key figures."
    )
    differences: list[str] = Field(description="What differs; empty when identical.")
    replayed: PlanResponse = Field(
        description="The plan made again (not stored: its visits have new visit ids)."
    )


class EditedRouteIn(StrictModel):
    """One agent's visits in a hand-edited plan, in visiting order."""

    agent_id: Identifier
    case_ids: list[Identifier] = Field(default_factory=list, max_length=1000)


class PlanEditIn(StrictModel):
    """Body of ``POST /plans/{plan_id}/evaluate``: the plan's agents' visits as edited by
    hand; agents not listed visit no one."""

    routes: list[EditedRouteIn] = Field(max_length=500)


class ViolationOut(BaseModel):
    """A rule the edited plan breaks."""

    code: str = Field(
        description="window_missed, shift_end, skills_missing, wrong_agent, not_plannable, ..."
    )
    agent_id: str | None
    case_id: str | None
    detail: str


class PlanEvaluationResponse(PlanResponse):
    """An edited plan timed, costed and checked, without optimising: the same shape as a
    plan, with every broken rule. Nothing is stored."""

    feasible: bool = Field(description="True when the edited plan breaks no rule.")
    violations: list[ViolationOut]


class PublishedOut(BaseModel):
    """Body of ``POST /plans/{plan_id}/publish``."""

    plan_id: str
    date: dt.date
    published_at: dt.datetime


class AgentStopOut(BaseModel):
    """One visit as the agent's phone gets it: only what the visit needs (where, when, whom
    and how much to collect), none of the planner's scoring or the case's history."""

    visit_id: str = Field(description="Names the visit when its outcome is recorded.")
    case_id: str
    location: LatLonOut
    address: str | None = Field(default=None, description="The case's address, as one line.")
    borrower_name: str | None = Field(default=None, description="Personal data.")
    borrower_phone: str | None = Field(default=None, description="Personal data.")
    arrival: dt.datetime
    service_start: dt.datetime
    service_end: dt.datetime
    travel_seconds: int
    distance_meters: int
    geometry: LineStringOut | None = None
    amount_overdue: float | None = Field(
        default=None, description="The sum to collect, in the plan's currency, if given."
    )


class AgentItineraryResponse(BaseModel):
    """Body of ``GET /itinerary/{agent_id}``: one agent's stops from the latest plan, each
    projected to what the visit needs (:class:`AgentStopOut`)."""

    agent_id: str
    date: dt.date
    plan_id: str
    published: bool = Field(description="From the latest published plan; else the latest.")
    stops: list[AgentStopOut]
    start_time: dt.datetime
    end_time: dt.datetime
    conduct: list[str] = Field(description="The conduct checklist of the plan's profiles.")


class MultiLineStringOut(BaseModel):
    """A GeoJSON MultiLineString of [lon, lat] pairs."""

    type: Literal["MultiLineString"] = "MultiLineString"
    coordinates: list[list[tuple[float, float]]]


class PolygonOut(BaseModel):
    """A GeoJSON Polygon: one closed ring of [lon, lat] pairs."""

    type: str = "Polygon"
    coordinates: list[list[list[float]]]


class RegionOut(BaseModel):
    """An imported region: what plans in it use."""

    name: str
    default: bool
    timezone: str
    country_code: str
    travel_modes: list[str]
    addresses: int
    built_at: dt.datetime
    outline: PolygonOut
    attribution: str


class GeocodeRequest(StrictModel):
    """Body of ``POST /geocode``: addresses to check before planning."""

    region: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    addresses: list[AddressIn] = Field(min_length=1, max_length=1000)


class GeocodeCandidateOut(BaseModel):
    """One place an ambiguous address may mean."""

    label: str
    location: LatLonOut
    precision: str
    confidence: float


class GeocodeAnswerOut(BaseModel):
    """Where one address is, how sure that is, or why it was not found."""

    query: str
    status: str = Field(description="found, ambiguous, not_found or unparseable.")
    location: LatLonOut | None
    matched: str | None
    precision: str | None
    confidence: float
    candidates: list[GeocodeCandidateOut]


class ReverseGeocodeRequest(StrictModel):
    """Body of ``POST /reverse-geocode``: points to name."""

    region: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    points: list[LatLonIn] = Field(min_length=1, max_length=1000)
    max_distance_meters: float = Field(default=100.0, gt=0, le=5000)


class ReverseAnswerOut(BaseModel):
    """The mapped address nearest to a point, or nothing within the distance."""

    address: str | None
    location: LatLonOut | None
    distance_meters: float | None
