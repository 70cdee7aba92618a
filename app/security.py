"""Defences every response gets: a cap on request size, security headers, and CORS closed
unless origins are configured."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from app.config import Settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middleware. Bodies larger than ``settings.max_request_bytes`` are refused with
    413 before they are read: by their Content-Length, or as they stream in without one."""
    limit = settings.max_request_bytes
    allowed = _AllowedMethods(app)

    @app.middleware("http")
    async def _guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return _too_large(limit)
        if declared is None and request.method in ("POST", "PUT", "PATCH"):
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    return _too_large(limit)
            request._body = body  # read once here; handlers read it from the request
        response = await call_next(request)
        if response.status_code == 405 and (methods := allowed(request.url.path)):
            response.headers["Allow"] = ", ".join(methods)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )


class _AllowedMethods:
    """Every method a path has. (Starlette's 405 names only the first route that matched the
    path, where one path has a route per method.)"""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._patterns: list[tuple[re.Pattern[str], list[str]]] | None = None

    def __call__(self, path: str) -> list[str]:
        if self._patterns is None:  # the schema is complete only once every route is added
            self._patterns = [
                (
                    re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template)) + "$"),
                    sorted(method.upper() for method in item),
                )
                for template, item in self._app.openapi()["paths"].items()
            ]
        return sorted(
            {m for pattern, methods in self._patterns if pattern.match(path) for m in methods}
        )


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        status_code=413, content={"detail": f"request body larger than {limit} bytes"}
    )
