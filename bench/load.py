"""Load test on loopback: throughput and latency of GET /itinerary and POST /plan (small).

Usage: .venv/bin/python bench/load.py [--duration 30s] [--itinerary-users 8] [--plan-users 2]
                                      [--database-url URL] [--scenario itinerary plan]

Starts a real `doorstep serve` on 127.0.0.1 (a fresh var/ and SQLite in a temporary folder,
or --database-url, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test; JSON logs to a
file there; rate limits raised out of the way), signs in as the first admin, plans and
publishes the shipped sample (40 cases, 4 agents) so the agents' days have data, then runs
each scenario separately with locust, headless (bench/locustfile.py), its users sending
requests back to back:

- itinerary: GET /itinerary/{agent_id}?date= over the sample's 4 agents;
- plan: POST /plan of 10 cases and 2 agents with time_limit_seconds 0.5 (stored, not
  published).

Prints per scenario: users, requests, failures, requests/s, p50 and p99 latency (ms), and
the server's CPU use. Locust runs on the same machine as the server and takes CPU from it:
on 2 cores the figures are a floor, not the server's ceiling.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "plan-request.json"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PASSWORD = "load-test-admin-password"
USER_CLASSES = {"itinerary": "ItineraryUser", "plan": "PlanUser"}


@dataclass(frozen=True, slots=True)
class Result:
    """One scenario's figures, from locust's summary."""

    scenario: str
    users: int
    requests: int
    failures: int
    per_second: float
    p50_ms: float
    p99_ms: float
    server_cpu_percent: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_server(
    folder: Path, database_url: str | None, solver_workers: int | None
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    workers = {"DOORSTEP_SOLVER_WORKERS": str(solver_workers)} if solver_workers else {}
    env = (
        os.environ
        | workers
        | {
            "DOORSTEP_VAR_DIR": str(folder / "var"),
            "DOORSTEP_DATABASE_URL": database_url or f"sqlite:///{folder / 'doorstep.db'}",
            "DOORSTEP_INITIAL_ADMIN_PASSWORD": PASSWORD,
            "DOORSTEP_RATE_LIMIT": "1000000/minute",
            "DOORSTEP_SIGN_IN_RATE_LIMIT": "1000000/minute",
            "DOORSTEP_LOG_FORMAT": "json",
        }
    )
    with (folder / "server.log").open("ab") as log:
        server = subprocess.Popen(
            # The console script, as run.sh and the image start it.
            [str(Path(sys.executable).parent / "doorstep"), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped; see {folder / 'server.log'}")
        try:
            if httpx2.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx2.TransportError:
            pass
        time.sleep(0.3)
    server.terminate()
    sys.exit("the server did not get ready in 180 s")


def _prepare(base: str, folder: Path) -> dict[str, str]:
    """Sign in, plan and publish the sample; the locust users' environment."""
    signed_in = httpx2.post(
        f"{base}/auth/token", data={"username": "admin", "password": PASSWORD}, timeout=30
    )
    signed_in.raise_for_status()
    token = signed_in.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sample: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    planned = httpx2.post(
        f"{base}/plan",
        json=sample | {"options": {"time_limit_seconds": 1}},
        headers=headers,
        timeout=120,
    )
    planned.raise_for_status()
    plan = planned.json()
    published = httpx2.post(f"{base}/plans/{plan['plan_id']}/publish", headers=headers, timeout=30)
    published.raise_for_status()
    small = sample | {
        "date": "2026-12-02",
        "cases": sample["cases"][:10],
        "agents": sample["agents"][:2],
        "options": {"time_limit_seconds": 0.5},
    }
    (folder / "plan-small.json").write_text(json.dumps(small), encoding="utf-8")
    return {
        "DOORSTEP_BENCH_TOKEN": token,
        "DOORSTEP_BENCH_DATE": plan["date"],
        "DOORSTEP_BENCH_AGENTS": ",".join(i["agent_id"] for i in plan["itineraries"]),
        "DOORSTEP_BENCH_PLAN": str(folder / "plan-small.json"),
    }


def _run(
    scenario: str,
    users: int,
    duration: str,
    base: str,
    env: dict[str, str],
    folder: Path,
    server: psutil.Process,
) -> Result:
    prefix = folder / scenario
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        duration,
        "--host",
        base,
        "--csv",
        str(prefix),
        USER_CLASSES[scenario],
    ]
    cpu_before = _cpu_seconds(server)
    started = time.monotonic()
    run = subprocess.run(command, env=os.environ | env, check=False, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    cpu_used = _cpu_seconds(server) - cpu_before
    summary = Path(f"{prefix}_stats.csv")
    if not summary.exists():
        sys.exit(f"locust failed ({run.returncode}):\n{run.stderr}")
    with summary.open(encoding="utf-8", newline="") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    return Result(
        scenario=scenario,
        users=users,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        per_second=float(total["Requests/s"]),
        p50_ms=_ms(total["50%"]),
        p99_ms=_ms(total["99%"]),
        server_cpu_percent=100 * cpu_used / elapsed,
    )


def _ms(cell: str) -> float:
    return float("nan") if cell == "N/A" else float(cell)  # N/A: no request finished


def _cpu_seconds(server: psutil.Process) -> float:
    """CPU time of the server and its solver processes so far (those alive now)."""
    total = 0.0
    for process in (server, *server.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def main() -> None:
    """Start the server, run the scenarios, print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", default="30s", help="per scenario, as locust's -t")
    parser.add_argument("--itinerary-users", type=int, default=8)
    parser.add_argument("--plan-users", type=int, default=2)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument(
        "--solver-workers", type=int, help="searches raced per plan (default: the server's, 2)"
    )
    parser.add_argument(
        "--scenario", nargs="+", choices=sorted(USER_CLASSES), default=["itinerary", "plan"]
    )
    args = parser.parse_args()
    users = {"itinerary": args.itinerary_users, "plan": args.plan_users}
    folder = Path(tempfile.mkdtemp(prefix="doorstep-load-"))
    server, base = _start_server(folder, args.database_url, args.solver_workers)
    try:
        env = _prepare(base, folder)
        results = [
            _run(name, users[name], args.duration, base, env, folder, psutil.Process(server.pid))
            for name in args.scenario
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    database = "PostgreSQL" if args.database_url else "SQLite"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{dt.date.today()}, {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, {database}, solver workers "
        f"{args.solver_workers or 'default'}, {args.duration} per scenario, server and locust "
        f"on one machine; load average after: {load}"
    )
    print(
        f"{'scenario':<28}{'users':>6}{'requests':>10}{'failures':>10}{'req/s':>9}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'server CPU':>12}"
    )
    for r in results:
        name = "GET /itinerary/{agent_id}" if r.scenario == "itinerary" else "POST /plan (10 x 2)"
        print(
            f"{name:<28}{r.users:>6}{r.requests:>10}{r.failures:>10}{r.per_second:>9.1f}"
            f"{r.p50_ms:>9.0f}{r.p99_ms:>9.0f}{r.server_cpu_percent:>11.0f}%"
        )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
