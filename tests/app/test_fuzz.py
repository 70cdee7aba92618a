"""Schemathesis fuzzes every operation of the OpenAPI schema, signed in as an admin: no 5xx,
and every answer matches the schema (status codes, content types, bodies)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.config import Settings
from app.main import create_app
from tests.auth import new_user
from tests.conftest import DATA_DIR

EXAMPLES_PER_OPERATION = int(os.environ.get("DOORSTEP_FUZZ_EXAMPLES", "60"))
"""Sized so the whole run takes a few minutes on two cores."""

# The app exists at import, for its schema; nothing is loaded until a lifespan runs (the
# fixture's, then schemathesis' own for its calls), in a folder of its own.
VAR = Path(tempfile.mkdtemp(prefix="doorstep-fuzz-"))
APP = create_app(
    Settings(
        data_dir=DATA_DIR,
        var_dir=VAR,
        regions_dir=VAR / "regions",
        database_url=f"sqlite:///{VAR / 'doorstep.db'}",
        solver_workers=1,
        default_time_limit_seconds=0.2,
        rate_limit="1000000/minute",
        sign_in_rate_limit="1000000/minute",
        failed_access_rate_limit="1000000/minute",
    )
)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP  # calls go to the app in-process


@pytest.fixture(scope="module")
def admin_headers(regions_dir: Path) -> Iterator[dict[str, str]]:
    (VAR / "regions").mkdir()
    (VAR / "regions" / "liechtenstein").symlink_to(regions_dir / "liechtenstein")
    with TestClient(APP) as client:  # the lifespan: the app's state stays set inside
        yield new_user(client, "admin")
    shutil.rmtree(VAR)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_no_5xx_and_every_answer_matches_the_schema(
    case: schemathesis.Case[Any], admin_headers: dict[str, str]
) -> None:
    # Not checked: that every request the schema allows is accepted. Rules across fields, a
    # region that exists, a username not taken are beyond JSON Schema: 422 naming the field.
    case.call_and_validate(headers=admin_headers, excluded_checks=[positive_data_acceptance])
