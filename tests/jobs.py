"""Following background jobs in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx2
from fastapi.testclient import TestClient

FINISHED = ("succeeded", "failed", "cancelled")


def wait_for_job(
    client: TestClient,
    job_id: str,
    *,
    until: Callable[[dict[str, Any]], bool] = lambda job: job["status"] in FINISHED,
    timeout_s: float = 90.0,
    headers: dict[str, str] | None = None,
    seen: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Poll ``GET /jobs/{job_id}`` until ``until`` holds (by default: the job is over); each
    status read goes to ``seen``. Fails after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        response: httpx2.Response = client.get(f"/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if seen is not None:
            seen.append(job)
        if until(job):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}: {job}"
        time.sleep(0.1)
