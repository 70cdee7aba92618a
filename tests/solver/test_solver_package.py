"""Importing solver at run time pulls in no app, geo or web module, not even indirectly.

(tests/test_architecture.py checks the direct imports in the source.)
"""

from __future__ import annotations

import subprocess
import sys


def test_importing_solver_pulls_in_no_app_geo_or_web_module() -> None:
    code = (
        "import sys, solver\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in {'app', 'geo', 'pydantic', 'fastapi', 'starlette'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
