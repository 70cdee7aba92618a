"""Logging of the ``doorstep`` commands: text lines for a terminal, or one JSON object per
record (``DOORSTEP_LOG_FORMAT=json``) with time, level, logger, message and request id.

Every handler blanks personal data (app.redaction) and stamps the request id
(app.request_id); uvicorn's access log is given the path without its query string."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any

from app.config import Settings
from app.redaction import PersonalDataFilter, redact
from app.request_id import RequestIdFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_ACCESS_FIELDS = ("http_method", "http_path", "http_status")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, ``request_id`` (null outside a request), and ``exception`` when there is
    one; access records add ``http_method``, ``http_path`` and ``http_status``."""

    def format(self, record: logging.LogRecord) -> str:
        instant = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": instant.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in _ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class AccessLogFilter(logging.Filter):
    """Cuts the query string off uvicorn's access records (it may carry what a client put
    there) and notes method, path and status as fields of their own. Runs before
    :class:`~app.redaction.PersonalDataFilter`, which merges the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, full_path, version, status = args
            path = redact(str(full_path).split("?", 1)[0])
            record.args = (client, method, path, version, status)
            record.http_method, record.http_path, record.http_status = method, path, status
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` of the app's and uvicorn's loggers."""
    level = settings.log_level.upper()
    json_format = settings.log_format == "json"
    text = {"format": TEXT_FORMAT}
    formatters = {"json": {"()": JsonFormatter}} if json_format else {"text": text}
    formatter = "json" if json_format else "text"
    common = ["request_id", "personal_data"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "access": {"()": AccessLogFilter},
            "request_id": {"()": RequestIdFilter},
            "personal_data": {"()": PersonalDataFilter},
        },
        "formatters": formatters,
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": formatter,
                "filters": common,
            },
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": formatter,
                "filters": ["access", *common],
            },
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }


def configure_logging(settings: Settings) -> None:
    """Set up logging as the settings say; Python warnings are logged too."""
    logging.config.dictConfig(logging_config(settings))
    logging.captureWarnings(True)
