"""Locust users of bench/load.py, one scenario each; run by it, not alone.

It hands them, in the environment: ``DOORSTEP_BENCH_TOKEN`` (a sign-in token),
``DOORSTEP_BENCH_AGENTS`` (agent ids of the published day, comma-separated),
``DOORSTEP_BENCH_DATE`` and ``DOORSTEP_BENCH_PLAN`` (a file holding a POST /plan body).
Users wait for nothing between requests: each scenario measures the server saturated by
that many concurrent clients.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from locust import FastHttpUser, constant, task


class _SignedIn(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {os.environ['DOORSTEP_BENCH_TOKEN']}"}


class ItineraryUser(_SignedIn):
    """GET /itinerary/{agent_id}?date=: the agents' days in turn."""

    def on_start(self) -> None:
        super().on_start()
        date = os.environ["DOORSTEP_BENCH_DATE"]
        agents = os.environ["DOORSTEP_BENCH_AGENTS"].split(",")
        self.paths = itertools.cycle(f"/itinerary/{agent}?date={date}" for agent in agents)

    @task
    def itinerary(self) -> None:
        self.client.get(next(self.paths), headers=self.auth, name="GET /itinerary/{agent_id}")


class PlanUser(_SignedIn):
    """POST /plan of a small day."""

    def on_start(self) -> None:
        super().on_start()
        self.body = Path(os.environ["DOORSTEP_BENCH_PLAN"]).read_text(encoding="utf-8")

    @task
    def plan(self) -> None:
        headers = self.auth | {"Content-Type": "application/json"}
        self.client.post("/plan", data=self.body, headers=headers, name="POST /plan")
