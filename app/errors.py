"""Errors of the app layer and their mapping to HTTP, in one place."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

logger = logging.getLogger(__name__)

Location = tuple[str | int, ...]


class ErrorOut(BaseModel):
    """An error answer: what went wrong, in words."""

    detail: str


PROTECTED_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body could not be read (e.g. not UTF-8)."},
    401: {"model": ErrorOut, "description": "No valid bearer token: sign in."},
    403: {"model": ErrorOut, "description": "The caller's role may not do this."},
    413: {"model": ErrorOut, "description": "The request body is too large."},
    429: {"model": ErrorOut, "description": "Too many requests: see Retry-After."},
}
"""Answers every signed-in operation may give, documented in its schema."""


class PlanInputError(Exception):
    """Request data that passed the schema but cannot be used (unknown region, an agent's
    address not found). Rendered like a schema error: 422 naming the field."""

    def __init__(self, loc: Location, message: str, *, error_type: str = "value_error") -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.error_type = error_type

    def as_error(self) -> dict[str, object]:
        """The error in FastAPI's validation-error shape, located in the request body."""
        return {"loc": ["body", *self.loc], "msg": self.message, "type": self.error_type}


class NotFoundError(Exception):
    """The requested object does not exist (or is not visible to the caller)."""


async def _plan_input_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlanInputError)
    return JSONResponse(status_code=422, content={"detail": [exc.as_error()]})


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # The client gets an id to quote, never the traceback; the log gets both.
    error_id = uuid.uuid4().hex
    logger.error(
        "internal error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc
    )
    return JSONResponse(status_code=500, content={"detail": "internal error", "error_id": error_id})


def install_error_handlers(app: FastAPI) -> None:
    """Map the app's errors to HTTP responses."""
    app.add_exception_handler(PlanInputError, _plan_input_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(Exception, _internal_error)
