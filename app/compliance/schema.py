"""The compliance-profile format: one pydantic model reads both the shipped TOML files and
profiles an admin posts, so both are checked alike and errors name the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from app.schemas import IsoDate, ProfileId, StrictModel, TimeOfDay, Weekday, minutes_of_day

Condition = Literal[
    "attorney_on_record", "cease_contact", "dispute_open", "vulnerable", "capacity_concern",
    "bereavement",
]  # fmt: skip
Certainty = Literal["H", "M", "L", "P"]
RuleId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", examples=["US-1"])]
Calendar = Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", examples=["US-MA"])]


class HoursWindowIn(StrictModel):
    """Allowed hours on some weekdays, local time of the visit address."""

    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: TimeOfDay
    end: TimeOfDay

    @model_validator(mode="after")
    def _end_after_start(self) -> HoursWindowIn:
        if minutes_of_day(self.end) <= minutes_of_day(self.start):
            msg = f"end {self.end} must be after start {self.start}"
            raise ValueError(msg)
        return self


class _Rule(StrictModel):
    id: RuleId
    source: str = Field(min_length=1, max_length=500, description="Title and section.")
    certainty: Certainty = Field(description="H primary text, M secondary, L weak, P policy.")


class AllowedHoursRule(_Rule):
    kind: Literal["allowed_hours"]
    windows: list[HoursWindowIn] = Field(min_length=1, max_length=21)


class BlockedWeekdaysRule(_Rule):
    kind: Literal["blocked_weekdays"]
    days: list[Weekday] = Field(min_length=1, max_length=7)


class PublicHolidaysRule(_Rule):
    kind: Literal["public_holidays"]


class DoNotVisitRule(_Rule):
    kind: Literal["do_not_visit"]
    condition: Condition


class BorrowerPreferencesRule(_Rule):
    kind: Literal["borrower_preferences"]


class FrequencyCapRule(_Rule):
    kind: Literal["frequency_cap"]
    max_visits: int = Field(ge=1, le=100)
    rolling_days: int = Field(ge=1, le=366)
    counts: Literal["all", "contacted"] = "all"


class MinStaffRule(_Rule):
    kind: Literal["min_staff"]
    staff: int = Field(ge=1, le=10)


class AdvanceNoticeRule(_Rule):
    kind: Literal["advance_notice"]
    hours: int = Field(ge=1, le=24 * 60)


class NoWorkplaceRule(_Rule):
    kind: Literal["no_workplace"]


class ConductRule(_Rule):
    kind: Literal["conduct"]
    items: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=30
    )


def _rule_kind(rule: object) -> object:
    """The ``kind`` of a rule, read or built: picks the model (no inference, which a
    before-validator on every field, as StrictModel has, does not allow)."""
    return rule.get("kind") if isinstance(rule, dict) else getattr(rule, "kind", None)


RuleIn = Annotated[
    Annotated[AllowedHoursRule, Tag("allowed_hours")]
    | Annotated[BlockedWeekdaysRule, Tag("blocked_weekdays")]
    | Annotated[PublicHolidaysRule, Tag("public_holidays")]
    | Annotated[DoNotVisitRule, Tag("do_not_visit")]
    | Annotated[BorrowerPreferencesRule, Tag("borrower_preferences")]
    | Annotated[FrequencyCapRule, Tag("frequency_cap")]
    | Annotated[MinStaffRule, Tag("min_staff")]
    | Annotated[AdvanceNoticeRule, Tag("advance_notice")]
    | Annotated[NoWorkplaceRule, Tag("no_workplace")]
    | Annotated[ConductRule, Tag("conduct")],
    Discriminator(_rule_kind),
]


class ProfileIn(StrictModel):
    """A compliance profile (docs/compliance-profiles.md): the rules of one jurisdiction or
    regime, versioned and dated."""

    id: ProfileId
    version: int = Field(ge=1, le=1_000_000)
    jurisdiction: Calendar
    title: str = Field(min_length=1, max_length=300)
    binding_level: Literal[
        "statute", "regulation", "regulator_guidance", "self_regulatory", "policy"
    ]
    effective_from: IsoDate
    effective_to: IsoDate | None = Field(default=None, description="Last day it applies.")
    holiday_calendar: Calendar | None = Field(
        default=None,
        description="Public holidays of this country[-subdivision]; default: the jurisdiction.",
    )
    rules: list[RuleIn] = Field(min_length=1, max_length=100)

    @field_validator("rules")
    @classmethod
    def _unique_rule_ids(cls, rules: list[RuleIn]) -> list[RuleIn]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                msg = f"rule id {rule.id!r} is used twice"
                raise ValueError(msg)
            seen.add(rule.id)
        return rules

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProfileIn:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            msg = "effective_to must not be before effective_from"
            raise ValueError(msg)
        return self

    def in_effect(self, date: dt.date) -> bool:
        """Whether the profile applies on ``date``."""
        return self.effective_from <= date and (
            self.effective_to is None or date <= self.effective_to
        )
