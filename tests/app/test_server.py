"""The real server process: `doorstep serve` plans the sample, and plans survive a restart."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

from tests.conftest import DATA_DIR, SAMPLE_REQUEST
from tests.feasibility import plan_violations


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[str]:
    """Run `doorstep serve` until the block ends; yield its base URL once it answers."""
    port = _free_port()
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(log.read_text(encoding="utf-8", errors="replace"))
            try:
                if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_plans_survive_a_server_restart(regions_dir: Path, tmp_path: Path) -> None:
    """A plan posted to a running server reads back identically from a restarted one, through
    GET /plans/{id} and GET /itinerary/{agent_id}."""
    env = {
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_REGIONS_DIR": str(regions_dir),
        "DOORSTEP_DATABASE_URL": f"sqlite:///{tmp_path / 'doorstep.db'}",
    }
    body: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    with _server(env, tmp_path / "server.log") as base:
        response = httpx2.post(f"{base}/plan", json=body, timeout=60)
        assert response.status_code == 200, response.text
        plan = response.json()
        assert plan_violations(body, plan) == []
        before = {
            it["agent_id"]: httpx2.get(
                f"{base}/itinerary/{it['agent_id']}", params={"date": plan["date"]}
            ).json()
            for it in plan["itineraries"]
        }
    with _server(env, tmp_path / "server.log") as base:
        assert httpx2.get(f"{base}/plans/{plan['plan_id']}").json() == plan
        for agent_id, itinerary in before.items():
            after = httpx2.get(f"{base}/itinerary/{agent_id}", params={"date": plan["date"]})
            assert after.json() == itinerary
