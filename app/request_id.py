"""A request id for every HTTP request: the caller's ``X-Request-ID`` when it is sane, else a
new one; echoed in the response and put on every log record made while the request runs."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_id: ContextVar[str | None] = ContextVar("doorstep_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, None outside a request."""
    return _request_id.get()


def sane_request_id(value: str | None) -> str:
    """``value`` if it is a sane id (1-64 letters, digits, ``. _ : -``), else a new one."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's context and adds it to the response headers.

    The id is not reset when the request ends: each request runs in a task (and context) of
    its own, and records logged after the app is done with it (the access log, a 500's
    traceback) still carry it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = [v for k, v in scope["headers"] if k == HEADER.lower().encode("latin-1")]
        request_id = sane_request_id(given[0].decode("latin-1") if given else None)
        _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` (None outside a request) on every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
