"""System routes (unprotected): info, health, logs, the logs stream, config."""

from __future__ import annotations

import json
from typing import Any, Final

from aiohttp import web

from simulator.clock import rfc3339
from simulator.context import CONTEXT
from simulator.envelope import ApiError, Reply, read_json
from simulator.logs import LEVELS
from simulator.sse import StreamSpec, last_event_id, serve_stream

VERSION: Final = "1.0.0-sim"
_SECRET_WORDS: Final = ("key", "password", "secret", "token")


async def system_info(request: web.Request) -> Reply:
    """GET /system/info: the same figures /ws/monitor pushes, in §4 field names."""
    return Reply(request.app[CONTEXT].metrics.system_info())


async def system_health(request: web.Request) -> Reply:
    """GET /system/health."""
    ctx = request.app[CONTEXT]
    network = ctx.engine.network_status()
    return Reply(
        {
            "status": ctx.metrics.overall_status(),
            "version": VERSION,
            "timestamp": rfc3339(),
            "checks": {
                "api": "ok",
                "database": "ok",
                "mqtt": "ok",
                "onboarding_network": "active" if network["is_active"] else "inactive",
            },
        }
    )


async def system_logs(request: web.Request) -> Reply:
    """GET /system/logs?limit=100&level=info."""
    ctx = request.app[CONTEXT]
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError as err:
        raise ApiError("VALIDATION_FAILED", "limit must be an integer") from err
    level = request.query.get("level")
    if level is not None and level not in LEVELS:
        raise ApiError("VALIDATION_FAILED", f"level must be one of {list(LEVELS)}")
    entries = ctx.journal.entries(limit=max(0, min(limit, 1000)), level=level)
    return Reply({"logs": entries, "count": len(entries)})


async def system_logs_stream(request: web.Request) -> web.StreamResponse:
    """GET /system/logs/stream: `event: log` frames and `event: keepalive`."""
    ctx = request.app[CONTEXT]
    subscriber, replay = ctx.log_events.subscribe(None, last_event_id(request))

    def keepalive() -> list[str]:
        return [f"event: keepalive\ndata: {json.dumps({'timestamp': rfc3339()})}\n\n"]

    spec = StreamSpec(
        kind="logs",
        broker=ctx.log_events,
        interval=ctx.clock.scaled(ctx.config.keepalive_interval),
        keepalive=keepalive,
    )
    return await serve_stream(request, spec, subscriber, replay, faults=ctx.faults, stats=ctx.stats)


def _public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    # Secrets are write-only, as on the Pi.
    return {
        key: "********" if any(word in key.lower() for word in _SECRET_WORDS) else value
        for key, value in settings.items()
    }


async def get_config(request: web.Request) -> Reply:
    """GET /config (unprotected; secrets masked)."""
    ctx = request.app[CONTEXT]
    config: dict[str, Any] = {
        "api_auth_enabled": True,
        "dev_mode": ctx.config.dev_mode,
        "onboarding_ssid": "DelicasaOnboard",
        "sse_vocabulary": ctx.config.sse_vocabulary,
        "version": VERSION,
    }
    config.update(_public_settings(ctx.settings))
    return Reply({"config": config})


async def put_config(request: web.Request) -> Reply:
    """PUT /config/:key {value} (protected)."""
    ctx = request.app[CONTEXT]
    key = request.match_info["key"]
    body = await read_json(request)
    if "value" not in body:
        raise ApiError("MISSING_PARAMETER", "value is required")
    ctx.settings[key] = body["value"]
    shown = _public_settings({key: body["value"]})[key]
    ctx.journal.info("config", f"setting {key} updated")
    return Reply({"key": key, "value": shown, "message": f"{key} updated"})


async def legacy_system_reset(request: web.Request) -> Reply:
    """POST /api/system/reset (legacy, protected): acknowledged, nothing to reset here."""
    request.app[CONTEXT].journal.warning("system", "system reset requested")
    return Reply({"success": True, "message": "System reset initiated"})


ROUTES: Final = (
    ("GET", "/system/info", system_info),
    ("GET", "/system/health", system_health),
    ("GET", "/system/logs", system_logs),
    ("GET", "/system/logs/stream", system_logs_stream),
    ("GET", "/config", get_config),
    ("PUT", "/config/{key}", put_config),
)
LEGACY_ONLY_ROUTES: Final = (("POST", "/system/reset", legacy_system_reset),)
