"""The `doorstep plan FILE` command plans a request file offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA_DIR, SAMPLE_REQUEST
from tests.feasibility import plan_violations


def _run_plan(file: Path, regions_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_REGIONS_DIR": str(regions_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "plan", str(file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_plan_command_prints_a_feasible_plan(regions_dir: Path, tmp_path: Path) -> None:
    """The sample request file plans offline and prints the plan as JSON."""
    body = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(body), encoding="utf-8")
    result = _run_plan(request_file, regions_dir)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan_violations(body, plan) == []
    assert plan["summary"]["assigned"] >= 36


def test_plan_command_names_the_bad_field(regions_dir: Path, tmp_path: Path) -> None:
    """A bad request file exits with status 2 and an error naming the field."""
    body = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["agents"] = []
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(body), encoding="utf-8")
    result = _run_plan(request_file, regions_dir)
    assert result.returncode == 2
    assert json.loads(result.stderr)["detail"][0]["loc"] == ["agents"]
