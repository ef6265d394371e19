"""The aiohttp application: middlewares and the route table.

Every API route is mounted twice from one table: under /api/v1 with the §1 envelope and
under the legacy /api prefix with bare bodies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
import logging
import re
from typing import Final

from aiohttp import web

from simulator import door, routes_allowlist, routes_batch, routes_system
from simulator.auth import is_protected
from simulator.context import CONTEXT, Context
from simulator.envelope import (
    CORRELATION_ID,
    ENVELOPED,
    ApiError,
    Reply,
    new_correlation_id,
    render_error,
    render_reply,
)
from simulator.faults import SIM_PREFIX, add_fault_routes, fault_middleware

_LOGGER = logging.getLogger(__name__)
# One line per request; the query string (which may hold ?api_key=) is never logged.
ACCESS_LOGGER: Final = logging.getLogger("simulator.access")

V1_BASE: Final = "/api/v1"
LEGACY_BASE: Final = "/api"
_INCOMING_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type ApiHandler = Callable[[web.Request], Awaitable[Reply | web.StreamResponse]]
type RouteRow = tuple[str, str, ApiHandler]


def _is_legacy(path: str) -> bool:
    return path.startswith(LEGACY_BASE + "/") and not path.startswith(V1_BASE + "/")


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Assign the correlation ID, log the request, count it for /_sim/report."""
    incoming = request.headers.get("X-Correlation-ID", "")
    correlation_id = incoming if _INCOMING_ID.match(incoming) else new_correlation_id()
    request[CORRELATION_ID] = correlation_id
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers["X-Correlation-ID"] = correlation_id
        return response
    finally:
        ACCESS_LOGGER.info("%s %s %s %s", request.method, request.path, status, correlation_id)
        if not request.path.startswith(SIM_PREFIX):
            request.app[CONTEXT].stats.count_request(request.path, status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render errors in the shape of the route family (envelope, flat 401, bare legacy)."""
    # An older Pi knows no envelope at all, not even for the /api/v1 it does not have.
    legacy = _is_legacy(request.path) or request.app[CONTEXT].config.legacy_only
    enveloped = bool(request.get(ENVELOPED, not legacy))
    correlation_id = request[CORRELATION_ID]
    try:
        return await handler(request)
    except ApiError as error:
        return render_error(error, enveloped=enveloped, correlation_id=correlation_id)
    except web.HTTPException as exc:
        if not request.path.startswith(LEGACY_BASE + "/") or exc.status < 400:
            raise
        # Outside §2's table: a client must treat unknown codes by status class.
        code = "NOT_FOUND" if exc.status == 404 else "METHOD_NOT_ALLOWED"
        routing = ApiError(code, exc.reason.lower(), status=exc.status, retryable=False)
        return render_error(routing, enveloped=enveloped, correlation_id=correlation_id)
    except Exception:
        _LOGGER.exception("unhandled error on %s %s", request.method, request.path)
        internal = ApiError("INTERNAL_ERROR")
        return render_error(internal, enveloped=enveloped, correlation_id=correlation_id)


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer RATE_LIMITED (429 + Retry-After) past the per-client budget."""
    if request.path.startswith(LEGACY_BASE + "/"):
        limiter = request.app[CONTEXT].limiter
        if not limiter.admit(request.remote or "unknown"):
            raise ApiError(
                "RATE_LIMITED",
                "too many requests; wait before retrying",
                retry_after=limiter.retry_after,
                headers={"Retry-After": str(limiter.retry_after)},
            )
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Reject protected routes without the right key, in the flat 401 shape."""
    if is_protected(request.method, request.path):
        message = request.app[CONTEXT].auth.verdict(request)
        if message is not None:
            raise ApiError("UNAUTHORIZED", message)
    return await handler(request)


def _mount(handler: ApiHandler, *, enveloped: bool) -> Handler:
    async def route(request: web.Request) -> web.StreamResponse:
        request[ENVELOPED] = enveloped
        result = await handler(request)
        if isinstance(result, Reply):
            return render_reply(result, enveloped=enveloped, correlation_id=request[CORRELATION_ID])
        return result

    return route


def _add_api_routes(
    app: web.Application, rows: Iterable[RouteRow], *, legacy: bool, v1: bool = True
) -> None:
    for method, relative, handler in rows:
        if v1:
            app.router.add_route(method, V1_BASE + relative, _mount(handler, enveloped=True))
        if legacy:
            app.router.add_route(method, LEGACY_BASE + relative, _mount(handler, enveloped=False))


def build_app(ctx: Context) -> web.Application:
    """Create the application for one simulator run."""
    app = web.Application(
        middlewares=[
            access_middleware,
            error_middleware,
            fault_middleware,
            rate_limit_middleware,
            auth_middleware,
        ],
        client_max_size=1024 * 1024,
    )
    app[CONTEXT] = ctx
    tables: tuple[Iterable[RouteRow], ...] = (
        routes_system.ROUTES,
        routes_batch.ROUTES,
        routes_allowlist.ROUTES,
        door.ROUTES,
    )
    for table in tables:
        _add_api_routes(app, table, legacy=True, v1=not ctx.config.legacy_only)
    for method, relative, handler in routes_system.LEGACY_ONLY_ROUTES:
        app.router.add_route(method, LEGACY_BASE + relative, _mount(handler, enveloped=False))
    app.router.add_get("/ws/monitor", ctx.monitor.handle)
    add_fault_routes(app)
    return app
