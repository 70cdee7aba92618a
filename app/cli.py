"""The ``doorstep`` command: serve the API, plan a request file offline (under the
service's compliance profiles and visit history, without storing the plan), or purge what
is past its retention."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from app.compliance import ProfileLibrary, load_profile_files
from app.config import get_settings
from app.db import create_db_engine, migrate
from app.errors import PlanInputError
from app.logs import configure_logging, logging_config
from app.outcome_store import OutcomeStore
from app.planner import Planner
from app.regions import RegionRegistry
from app.retention import purge
from app.schemas import PlanRequest
from geo import GeoError


def _serve(args: argparse.Namespace) -> int:
    from app.main import create_app  # here: `doorstep plan` needs no web stack

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
        log_config=logging_config(settings),
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.jobs.celery_app import create_celery  # here: only workers need Celery started

    settings = get_settings()
    celery = create_celery(settings)
    celery.runners.preload()
    celery.worker_main(
        [
            "worker",
            f"--queues={settings.celery_queue},{settings.celery_territory_queue}",
            "--pool=solo",  # one plan at a time per process; the solver races its own
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            *args.celery_options,
        ]
    )


def _plan(args: argparse.Namespace) -> int:
    try:
        request = PlanRequest.model_validate_json(Path(args.file).read_bytes())
        settings = get_settings()
        registry = _registry()
        geocoder = settings.external_geocoder()
        engine = create_db_engine(settings.database_url)
        try:
            migrate(engine)
            planner = Planner(
                settings=settings,
                registry=registry,
                profiles=ProfileLibrary(engine, load_profile_files(settings.compliance_dir)),
                outcomes=OutcomeStore(engine),
                geocoder=geocoder,
            )
            response = planner.plan(request)
        finally:
            engine.dispose()
            if geocoder is not None:
                geocoder.close()
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        print(json.dumps({"detail": errors}, indent=2), file=sys.stderr)
        return 2
    except PlanInputError as exc:
        print(json.dumps({"detail": [exc.as_error()]}, indent=2), file=sys.stderr)
        return 2
    print(response.model_dump_json(indent=2))
    return 0


def _registry() -> RegionRegistry:
    settings = get_settings()
    return RegionRegistry.from_settings(settings)


def _region_import(args: argparse.Namespace) -> int:
    try:
        manifest = _registry().import_region(
            Path(args.file), args.name, timezone=args.timezone, country_code=args.country
        )
    except GeoError as exc:
        print(f"doorstep: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(manifest) | {"outline": f"{len(manifest.outline)} points"}, indent=2))
    return 0


def _region_list(_: argparse.Namespace) -> int:
    for manifest in _registry().manifests():
        print(
            f"{manifest.name}\t{manifest.timezone}\t{manifest.country_code}\t"
            f"{','.join(manifest.modes)}\t{manifest.addresses} addresses\tbuilt {manifest.built_at}"
        )
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        migrate(engine)
        report = purge(engine, settings, dt.datetime.now(dt.UTC), dry_run=args.dry_run)
    finally:
        engine.dispose()
    print(json.dumps(report.counts(), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``doorstep`` console script."""
    parser = argparse.ArgumentParser(prog="doorstep", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and its docs (/docs)")
    serve.add_argument("--host", help="interface to bind (default: DOORSTEP_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: DOORSTEP_PORT or 8000)")
    serve.set_defaults(run=_serve)
    worker = commands.add_parser(
        "worker",
        help="run a Celery worker of background plans (DOORSTEP_JOB_BACKEND=celery)",
        description=(
            "Run a Celery worker that solves background plans from DOORSTEP_CELERY_BROKER_URL "
            "(queue DOORSTEP_CELERY_QUEUE) into DOORSTEP_DATABASE_URL. One plan at a time "
            "(--pool=solo); run more workers for more. Options after it go to `celery worker`, "
            "e.g. --hostname, --concurrency with --pool=prefork."
        ),
    )
    worker.set_defaults(run=_worker)
    plan = commands.add_parser("plan", help="plan a request file offline and print the plan")
    plan.add_argument("file", help="a POST /plan body as JSON, e.g. data/samples/plan-request.json")
    plan.set_defaults(run=_plan)
    region = commands.add_parser("region", help="import and list regions")
    region_commands = region.add_subparsers(dest="region_command", required=True)
    region_import = region_commands.add_parser(
        "import", help="build a region from an OSM extract (.osm.pbf)"
    )
    region_import.add_argument("file", help="the extract, e.g. from download.geofabrik.de")
    region_import.add_argument("--name", required=True, help="region name: a-z, 0-9, '-', '_'")
    region_import.add_argument("--timezone", help="IANA time zone (default: from the location)")
    region_import.add_argument("--country", help="ISO country code (default: from the time zone)")
    region_import.set_defaults(run=_region_import)
    region_list = region_commands.add_parser("list", help="list the imported regions")
    region_list.set_defaults(run=_region_list)
    purge_command = commands.add_parser(
        "purge",
        help="delete what is past its retention (DOORSTEP_RETENTION_*_DAYS) and print counts",
    )
    purge_command.add_argument(
        "--dry-run", action="store_true", help="count what would go, delete nothing"
    )
    purge_command.set_defaults(run=_purge)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "worker":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.celery_options = [option for option in unknown if option != "--"]
    try:
        configure_logging(get_settings())
    except ValidationError as exc:
        print(f"doorstep: bad settings: {exc}", file=sys.stderr)
        return 2
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
