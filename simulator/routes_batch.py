"""Batch provisioning, session recovery and onboarding-network routes (protected)."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from simulator.context import CONTEXT, Context
from simulator.envelope import ApiError, Reply, mac_param, query_flag, read_json
from simulator.events import WireEvent
from simulator.sse import StreamSpec, last_event_id, serve_stream
from simulator.state import BOARD_STATES, SessionConfig

_TIMEOUT_KEYS: Final = (
    "discovery_timeout_seconds",
    "provisioning_timeout_seconds",
    "verification_timeout_seconds",
)
_MAX_TIMEOUT: Final = 3600


def _session_config(raw: Any) -> SessionConfig:
    config = SessionConfig()
    if raw is None:
        return config
    if not isinstance(raw, dict):
        raise ApiError("VALIDATION_FAILED", "config must be an object")
    for key in _TIMEOUT_KEYS:
        if key not in raw or raw[key] is None:
            continue
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_TIMEOUT:
            raise ApiError(
                "VALIDATION_FAILED", f"config.{key} must be an integer in (0, {_MAX_TIMEOUT}]"
            )
        setattr(config, key, value)
    return config


async def start(request: web.Request) -> Reply:
    """POST /provisioning/batch/start."""
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    ssid = body.get("target_ssid")
    if ssid is None or ssid == "":
        raise ApiError("MISSING_PARAMETER", "target_ssid is required")
    if not isinstance(ssid, str) or len(ssid.encode()) > 32:
        raise ApiError("VALIDATION_FAILED", "target_ssid must be a string of 1-32 bytes")
    if "target_password" not in body or body["target_password"] is None:
        raise ApiError("MISSING_PARAMETER", "target_password is required")
    password = body["target_password"]
    if not isinstance(password, str) or len(password) > 64:
        raise ApiError(
            "VALIDATION_FAILED", "target_password must be a string of at most 64 characters"
        )
    session = ctx.engine.start_session(ssid, password, _session_config(body.get("config")))
    return Reply(
        {"session": session.to_api(), "message": "Batch provisioning session started"},
        status=201,
    )


def _session_view(ctx: Context, session_id: str, *, include_devices: bool) -> dict[str, Any]:
    session = ctx.engine.get_session(session_id)
    data: dict[str, Any] = {"session": session.to_api()}
    if include_devices:
        data["devices"] = [device.to_api() for device in session.devices.values()]
    remaining = ctx.engine.timeout_remaining(session)
    if remaining is not None:
        data["timeout_remaining"] = remaining
    if ctx.engine.current_session() is session:
        data["network_status"] = ctx.engine.network_status()
    return data


async def get_session(request: web.Request) -> Reply:
    """GET /provisioning/batch/:id?include_devices=true."""
    ctx = request.app[CONTEXT]
    include = query_flag(request, "include_devices")
    return Reply(_session_view(ctx, request.match_info["id"], include_devices=include))


async def stop(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/stop."""
    session = await request.app[CONTEXT].engine.stop_session(request.match_info["id"])
    return Reply({"session": session.to_api(), "message": "Session closed"})


async def pause(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/pause."""
    ctx = request.app[CONTEXT]
    session = ctx.engine.pause_session(request.match_info["id"])
    return Reply({"session": session.to_api(), "message": "Session paused"})


async def resume(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/resume."""
    ctx = request.app[CONTEXT]
    session = ctx.engine.resume_session(request.match_info["id"])
    return Reply({"session": session.to_api(), "message": "Session resumed"})


async def provision_all(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/provision-all {only_allowlisted=true}."""
    ctx = request.app[CONTEXT]
    body = await read_json(request, required=False)
    only_allowlisted = body.get("only_allowlisted", True)
    if not isinstance(only_allowlisted, bool):
        raise ApiError("VALIDATION_FAILED", "only_allowlisted must be a boolean")
    initiated, skipped = ctx.engine.provision_all(
        request.match_info["id"], only_allowlisted=only_allowlisted
    )
    return Reply(
        {
            "initiated_count": initiated,
            "skipped_count": skipped,
            "message": f"Provisioning initiated for {initiated} device(s), {skipped} skipped",
        }
    )


async def list_devices(request: web.Request) -> Reply:
    """GET /provisioning/batch/:id/devices?state=."""
    ctx = request.app[CONTEXT]
    state = request.query.get("state") or None
    if state is not None and state not in BOARD_STATES:
        raise ApiError("VALIDATION_FAILED", f"state must be one of {list(BOARD_STATES)}")
    session = ctx.engine.get_session(request.match_info["id"])
    return Reply({"devices": [device.to_api() for device in ctx.engine.devices(session, state)]})


async def provision_device(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/devices/:mac/provision."""
    mac = mac_param(request.match_info["mac"])
    device = request.app[CONTEXT].engine.provision_device(request.match_info["id"], mac)
    return Reply({"mac": device.mac, "state": device.state, "message": "Provisioning started"})


async def retry_device(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/devices/:mac/retry."""
    mac = mac_param(request.match_info["mac"])
    device = request.app[CONTEXT].engine.retry_device(request.match_info["id"], mac)
    return Reply(
        {
            "mac": device.mac,
            "state": device.state,
            "message": f"Retry {device.retry_count} started",
        }
    )


async def skip_device(request: web.Request) -> Reply:
    """POST /provisioning/batch/:id/devices/:mac/skip."""
    mac = mac_param(request.match_info["mac"])
    device = request.app[CONTEXT].engine.skip_device(request.match_info["id"], mac)
    return Reply({"mac": device.mac, "state": device.state, "message": "Device skipped"})


async def network_status(request: web.Request) -> Reply:
    """GET /provisioning/batch/network and /provisioning/network/status."""
    return Reply(request.app[CONTEXT].engine.network_status())


async def events(request: web.Request) -> web.StreamResponse:
    """GET /provisioning/batch/events?session_id=: the provisioning SSE stream (§6)."""
    ctx = request.app[CONTEXT]
    session_filter = request.query.get("session_id") or None
    greeting = ctx.narrator.greeting(session_filter)
    subscriber, replay = ctx.events.subscribe(
        session_filter, last_event_id(request), greeting=greeting is not None
    )

    def keepalive() -> list[str]:
        frames = [": keepalive\n\n"]
        heartbeat = ctx.narrator.heartbeat()
        if heartbeat is not None:
            event_type, data = heartbeat
            event = WireEvent(ctx.events.next_id(), event_type, data)
            frames.append(event.frame(named=ctx.narrator.named_frames))
            ctx.stats.events_sent[event_type] += 1
        return frames

    spec = StreamSpec(
        kind="sse",
        broker=ctx.events,
        interval=ctx.clock.scaled(ctx.config.keepalive_interval),
        keepalive=keepalive,
        greeting=greeting,
        named=ctx.narrator.named_frames,
        probes=ctx.probes,
    )
    return await serve_stream(request, spec, subscriber, replay, faults=ctx.faults, stats=ctx.stats)


async def recoverable(request: web.Request) -> Reply:
    """GET /provisioning/sessions/recoverable."""
    sessions = request.app[CONTEXT].engine.recoverable_sessions()
    return Reply({"sessions": [session.to_api() for session in sessions]})


async def recover(request: web.Request) -> Reply:
    """POST /provisioning/sessions/:id/resume."""
    ctx = request.app[CONTEXT]
    session = ctx.engine.recover_session(request.match_info["id"])
    return Reply(
        {
            "session": session.to_api(),
            "devices": [device.to_api() for device in session.devices.values()],
            "message": "Session resumed",
        }
    )


# Fixed paths come before /{id}: aiohttp matches resources in registration order.
ROUTES: Final = (
    ("POST", "/provisioning/batch/start", start),
    ("GET", "/provisioning/batch/events", events),
    ("GET", "/provisioning/batch/network", network_status),
    ("GET", "/provisioning/network/status", network_status),
    ("GET", "/provisioning/sessions/recoverable", recoverable),
    ("POST", "/provisioning/sessions/{id}/resume", recover),
    ("GET", "/provisioning/batch/{id}", get_session),
    ("POST", "/provisioning/batch/{id}/stop", stop),
    ("POST", "/provisioning/batch/{id}/pause", pause),
    ("POST", "/provisioning/batch/{id}/resume", resume),
    ("POST", "/provisioning/batch/{id}/provision-all", provision_all),
    ("GET", "/provisioning/batch/{id}/devices", list_devices),
    ("POST", "/provisioning/batch/{id}/devices/{mac}/provision", provision_device),
    ("POST", "/provisioning/batch/{id}/devices/{mac}/retry", retry_device),
    ("POST", "/provisioning/batch/{id}/devices/{mac}/skip", skip_device),
)
