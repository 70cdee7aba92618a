"""Audits the locked dependencies for known vulnerabilities; scripts/audit-deps.sh runs it.

pip-audit checks every version pinned in requirements/dev.lock (runtime and dev) and
requirements/bench.lock, as they apply to this Python, against its vulnerability service
(`DOORSTEP_AUDIT_SERVICE`, pip-audit's `pypi` by default, or `osv`). It fails on any
vulnerability that requirements/audit-ignore.toml does not explain and on any pinned package it
could not check. When the service cannot be reached at all, it says so and passes, unless
`DOORSTEP_AUDIT_REQUIRED=1`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements/dev.lock", "requirements/bench.lock")
IGNORE_FILE = "requirements/audit-ignore.toml"
PIP_AUDIT = str(Path(sys.executable).parent / "pip-audit")


def explained() -> dict[str, str]:
    """The vulnerabilities let pass: ID -> "package: reason"."""
    data = tomllib.loads((ROOT / IGNORE_FILE).read_text(encoding="utf-8"))
    entries = data.get("vulnerability", [])
    result: dict[str, str] = {}
    for entry in entries:
        vuln_id, package, reason = (entry.get(k) for k in ("id", "package", "reason"))
        if not all(isinstance(v, str) and v.strip() for v in (vuln_id, package, reason)):
            sys.exit(f"{IGNORE_FILE}: every [[vulnerability]] needs an id, a package and a reason")
        result[vuln_id] = f"{package}: {reason}"
    if set(data) - {"vulnerability"}:
        sys.exit(f"{IGNORE_FILE}: only [[vulnerability]] tables belong here")
    return result


def pip_audit(*args: str) -> tuple[int, str, dict[str, Any] | None]:
    """Runs pip-audit with a JSON report; returns its exit code, stderr and the report."""
    service = os.environ.get("DOORSTEP_AUDIT_SERVICE", "pypi")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        options = ["--vulnerability-service", service, "--progress-spinner", "off"]
        proc = subprocess.run(
            [PIP_AUDIT, *options, "--format", "json", "--output", str(report), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        text = report.read_text(encoding="utf-8") if report.exists() else ""
    return proc.returncode, proc.stderr, json.loads(text) if text.strip() else None


def not_audited(why: str) -> int:
    required = os.environ.get("DOORSTEP_AUDIT_REQUIRED") == "1"
    print(
        "audit-deps: NOT AUDITED - pip-audit's vulnerability service could not be reached from "
        f"this machine, so nothing was checked ({why.strip()}). "
        + (
            "DOORSTEP_AUDIT_REQUIRED=1: failing."
            if required
            else "Passing anyway; set DOORSTEP_AUDIT_REQUIRED=1 to fail instead."
        ),
        file=sys.stderr,
    )
    return 1 if required else 0


def last_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def main() -> int:
    start = time.monotonic()
    ignore = explained()

    # One query first (pip-audit's own pin): where the service is out of reach, this tells in a
    # second instead of one failed query per pinned package.
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as probe:
        probe.write(f"pip-audit=={version('pip-audit')}\n")
        probe.flush()
        code, stderr, _ = pip_audit("--strict", "--no-deps", "--disable-pip", "-r", probe.name)
    if code != 0:
        return not_audited(last_line(stderr))

    requirements = [arg for lock in LOCKS for arg in ("-r", lock)]
    ignores = [arg for vuln_id in ignore for arg in ("--ignore-vuln", vuln_id)]
    code, stderr, report = pip_audit("--disable-pip", *requirements, *ignores)
    if report is None:
        print(stderr, file=sys.stderr, end="")
        print("audit-deps: pip-audit failed before it could report", file=sys.stderr)
        return 1

    packages: dict[str, dict[str, Any]] = {}
    for dep in report["dependencies"]:
        packages[f"{dep['name']}=={dep.get('version', '?')}"] = dep
    skipped = [dep for dep in packages.values() if "skip_reason" in dep]
    found = [(dep, vuln) for dep in packages.values() for vuln in dep.get("vulns", [])]
    for dep, vuln in found:
        aliases = ", ".join(vuln.get("aliases", []))
        fixes = ", ".join(vuln.get("fix_versions", [])) or "none released"
        print(
            f"VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']}"
            f"{f' ({aliases})' if aliases else ''}; fixed in: {fixes}",
            file=sys.stderr,
        )
    for dep in skipped:
        print(f"NOT CHECKED {dep['name']}: {dep['skip_reason']}", file=sys.stderr)
    seconds = time.monotonic() - start
    checked = len(packages) - len(skipped)
    print(
        f"audit-deps: {checked} locked packages checked, {len(found)} unexplained known "
        f"vulnerabilities, {len(skipped)} not checked; {last_line(stderr)}; "
        f"{len(ignore)} explained in {IGNORE_FILE} ({seconds:.1f} s)",
        file=sys.stderr,
    )
    if found or skipped or code != 0:
        print(
            "audit-deps: FAILED. Upgrade the pin (scripts/lock.sh --upgrade-package NAME) or, "
            f"if it cannot be, explain the vulnerability in {IGNORE_FILE}.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
