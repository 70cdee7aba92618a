"""The ``doorstep`` command: serve the API, or plan a request file offline."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from app.config import get_settings
from app.errors import PlanInputError
from app.planning import PlanningLimits, plan_day
from app.regions import RegionRegistry
from app.schemas import PlanRequest


def _serve(args: argparse.Namespace) -> int:
    from app.main import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
    )
    return 0


def _plan(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        request = PlanRequest.model_validate_json(Path(args.file).read_bytes())
        registry = RegionRegistry(settings.regions_dir, settings.cache_dir, settings.default_region)
        response = plan_day(
            request, registry.get(request.region), PlanningLimits.for_request(request, settings)
        )
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        print(json.dumps({"detail": errors}, indent=2), file=sys.stderr)
        return 2
    except PlanInputError as exc:
        print(json.dumps({"detail": [exc.as_error()]}, indent=2), file=sys.stderr)
        return 2
    print(response.model_dump_json(indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``doorstep`` console script."""
    parser = argparse.ArgumentParser(prog="doorstep", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and its docs (/docs)")
    serve.add_argument("--host", help="interface to bind (default: DOORSTEP_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: DOORSTEP_PORT or 8000)")
    serve.set_defaults(run=_serve)
    plan = commands.add_parser("plan", help="plan a request file offline and print the plan")
    plan.add_argument("file", help="a POST /plan body as JSON, e.g. data/samples/plan-request.json")
    plan.set_defaults(run=_plan)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
