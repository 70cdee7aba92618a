"""The HTTP contract of visit outcomes, case history and the address review queue."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from app.schemas import IsoDate, LatLonIn, LatLonOut, Money, StrictModel

OutcomeKind = Literal[
    "met", "not_home", "refused", "promise_to_pay", "paid", "wrong_address", "moved", "unsafe"
]
CLOCK_SKEW = dt.timedelta(minutes=10)
"""How far in the future an outcome's time may be (phones' clocks drift)."""


class OutcomeIn(StrictModel):
    """Body of ``POST /visits/{visit_id}/outcome``: what happened at the door."""

    outcome: OutcomeKind
    occurred_at: AwareDatetime = Field(description="When, ISO 8601 with offset.")
    location: LatLonIn | None = Field(default=None, description="The agent's position.")
    notes: str | None = Field(default=None, max_length=2000)
    promise_date: IsoDate | None = Field(default=None, description="promise_to_pay: pay by.")
    amount: Money | None = Field(default=None, description="promise_to_pay or paid: how much.")

    @model_validator(mode="after")
    def _details_fit_the_outcome(self) -> OutcomeIn:
        if self.outcome == "promise_to_pay" and (self.promise_date is None or self.amount is None):
            msg = "promise_to_pay needs promise_date and amount"
            raise ValueError(msg)
        if self.outcome == "paid" and self.amount is None:
            msg = "paid needs amount"
            raise ValueError(msg)
        if self.promise_date is not None and self.outcome != "promise_to_pay":
            msg = "promise_date is only for promise_to_pay"
            raise ValueError(msg)
        if self.amount is not None and self.outcome not in ("promise_to_pay", "paid"):
            msg = "amount is only for promise_to_pay and paid"
            raise ValueError(msg)
        if self.occurred_at > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
            msg = "occurred_at is in the future"
            raise ValueError(msg)
        return self


class OutcomeOut(BaseModel):
    """A recorded outcome. Records are never changed: a correction is a newer record of the
    same visit, and the newest one counts."""

    id: str
    visit_id: str
    case_id: str
    agent_id: str
    plan_id: str
    outcome: OutcomeKind
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    location: LatLonOut | None
    notes: str | None
    promise_date: dt.date | None
    amount: float | None


class PlannedVisitOut(BaseModel):
    """A visit a plan gave an agent."""

    visit_id: str
    plan_id: str
    date: dt.date
    agent_id: str
    service_start: dt.datetime


class CaseHistoryOut(BaseModel):
    """Body of ``GET /cases/{case_id}/history``: planned visits and recorded outcomes, oldest
    first."""

    case_id: str
    visits: list[PlannedVisitOut]
    outcomes: list[OutcomeOut]


class AddressReviewOut(BaseModel):
    """A case whose address an agent reported wrong or left: it stays out of plans until its
    address is corrected."""

    case_id: str
    visit_id: str
    outcome: Literal["wrong_address", "moved"]
    place: str = Field(description="The address (or point) the visit went to.")
    reported_at: dt.datetime
