"""The real server process: `doorstep serve` plans the sample, and plans survive a restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2

from tests.auth import PASSWORD
from tests.conftest import DATA_DIR, SAMPLE_REQUEST
from tests.feasibility import plan_violations
from tests.live_server import live_server, sign_in


def test_plans_survive_a_server_restart(regions_dir: Path, tmp_path: Path) -> None:
    """A plan posted to a running server reads back identically from a restarted one, through
    GET /plans/{id} and GET /itinerary/{agent_id}."""
    env = {
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_REGIONS_DIR": str(regions_dir),
        "DOORSTEP_VAR_DIR": str(tmp_path / "var"),
        "DOORSTEP_DATABASE_URL": f"sqlite:///{tmp_path / 'doorstep.db'}",
        "DOORSTEP_INITIAL_ADMIN_PASSWORD": PASSWORD,
    }
    body: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    with live_server(env, tmp_path / "server.log") as base:
        headers = sign_in(base, "admin", PASSWORD)
        response = httpx2.post(f"{base}/plan", json=body, headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        plan = response.json()
        assert plan_violations(body, plan) == []
        before = {
            it["agent_id"]: httpx2.get(
                f"{base}/itinerary/{it['agent_id']}", params={"date": plan["date"]}, headers=headers
            ).json()
            for it in plan["itineraries"]
        }
    with live_server(env, tmp_path / "server.log") as base:
        # The sign-in token outlives the restart: the signing secret is kept in var/.
        assert httpx2.get(f"{base}/plans/{plan['plan_id']}", headers=headers).json() == plan
        for agent_id, itinerary in before.items():
            after = httpx2.get(
                f"{base}/itinerary/{agent_id}", params={"date": plan["date"]}, headers=headers
            )
            assert after.json() == itinerary
