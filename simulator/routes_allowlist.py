"""Allowlist routes (protected)."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from simulator.clock import rfc3339
from simulator.context import CONTEXT, Context
from simulator.envelope import ApiError, Reply, mac_param, query_flag, read_json
from simulator.state import AllowlistEntry

_MAX_TEXT: Final = 256


def _required_list(body: dict[str, Any], key: str) -> list[Any]:
    raw = body.get(key)
    if raw is None:
        raise ApiError("MISSING_PARAMETER", f"{key} is required")
    if not isinstance(raw, list):
        raise ApiError("VALIDATION_FAILED", f"{key} must be a list")
    return raw


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise ApiError(
            "VALIDATION_FAILED", f"{key} must be a string of at most {_MAX_TEXT} characters"
        )
    return value or None


def _changed(ctx: Context) -> None:
    ctx.engine.refresh_allowlist_flags()
    ctx.save()


def _entry(ctx: Context, mac: str) -> AllowlistEntry:
    entry = ctx.state.allowlist.get(mac)
    if entry is None:
        raise ApiError("DEVICE_NOT_FOUND", f"{mac} is not in the allowlist")
    return entry


async def list_entries(request: web.Request) -> Reply:
    """GET /provisioning/allowlist?available=true."""
    ctx = request.app[CONTEXT]
    available = query_flag(request, "available")
    entries = [e.to_api() for e in ctx.state.allowlist.values() if not (available and e.used)]
    return Reply({"entries": entries})


async def get_entry(request: web.Request) -> Reply:
    """GET /provisioning/allowlist/:mac."""
    ctx = request.app[CONTEXT]
    return Reply({"entry": _entry(ctx, mac_param(request.match_info["mac"])).to_api()})


async def add_entry(request: web.Request) -> Reply:
    """POST /provisioning/allowlist {mac, description?, container_id?}."""
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    mac = mac_param(body.get("mac"))
    description, container_id = _text(body, "description"), _text(body, "container_id")
    existing = ctx.state.allowlist.get(mac)
    if existing is not None:
        return Reply({"entry": existing.to_api(), "message": "Device already in allowlist"})
    entry = AllowlistEntry(
        mac=mac, added_at=rfc3339(), description=description, container_id=container_id
    )
    ctx.state.allowlist[mac] = entry
    _changed(ctx)
    ctx.journal.info("allowlist", f"{mac} added to the allowlist")
    return Reply({"entry": entry.to_api(), "message": "Device added to allowlist"}, status=201)


async def update_entry(request: web.Request) -> Reply:
    """PATCH /provisioning/allowlist/:mac {description?, container_id?}."""
    ctx = request.app[CONTEXT]
    mac = mac_param(request.match_info["mac"])
    body = await read_json(request)
    entry = _entry(ctx, mac)
    # A key that is present (even null) is applied; an absent key is left alone.
    if "description" in body:
        entry.description = _text(body, "description")
    if "container_id" in body:
        entry.container_id = _text(body, "container_id")
    _changed(ctx)
    return Reply({"entry": entry.to_api(), "message": "Allowlist entry updated"})


async def delete_entry(request: web.Request) -> Reply:
    """DELETE /provisioning/allowlist/:mac: 204, no body."""
    ctx = request.app[CONTEXT]
    mac = mac_param(request.match_info["mac"])
    _entry(ctx, mac)
    del ctx.state.allowlist[mac]
    _changed(ctx)
    ctx.journal.info("allowlist", f"{mac} removed from the allowlist")
    return Reply(status=204)


async def bulk_add(request: web.Request) -> Reply:
    """POST /provisioning/allowlist/bulk {entries: [...]}: all validated before any is added."""
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    raw = _required_list(body, "entries")
    parsed: list[AllowlistEntry] = []
    now = rfc3339()
    for index, item in enumerate(raw):
        fields: dict[str, Any] = {"mac": item} if isinstance(item, str) else item
        if not isinstance(fields, dict):
            raise ApiError("VALIDATION_FAILED", f"entries[{index}] must be an object")
        try:
            mac = mac_param(fields.get("mac"))
            description, container_id = _text(fields, "description"), _text(fields, "container_id")
        except ApiError as err:
            raise ApiError(err.code, f"entries[{index}]: {err.message}") from err
        parsed.append(
            AllowlistEntry(
                mac=mac, added_at=now, description=description, container_id=container_id
            )
        )
    added = 0
    for entry in parsed:
        if entry.mac in ctx.state.allowlist:
            continue
        ctx.state.allowlist[entry.mac] = entry
        added += 1
    skipped = len(parsed) - added
    _changed(ctx)
    ctx.journal.info("allowlist", f"bulk add: {added} added, {skipped} skipped")
    return Reply(
        {"added": added, "skipped": skipped, "message": f"{added} added, {skipped} skipped"}
    )


async def bulk_remove(request: web.Request) -> Reply:
    """POST /provisioning/allowlist/bulk-remove {macs: [...]}."""
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    raw = _required_list(body, "macs")
    macs = [mac_param(item) for item in raw]
    removed = 0
    for mac in dict.fromkeys(macs):
        if ctx.state.allowlist.pop(mac, None) is not None:
            removed += 1
    not_found = len(dict.fromkeys(macs)) - removed
    _changed(ctx)
    ctx.journal.info("allowlist", f"bulk remove: {removed} removed")
    return Reply(
        {
            "removed": removed,
            "not_found": not_found,
            "message": f"{removed} removed, {not_found} not found",
        }
    )


async def clear_all(request: web.Request) -> Reply:
    """DELETE /provisioning/allowlist/all."""
    ctx = request.app[CONTEXT]
    cleared = len(ctx.state.allowlist)
    ctx.state.allowlist.clear()
    _changed(ctx)
    ctx.journal.info("allowlist", f"allowlist cleared ({cleared} entries)")
    return Reply({"cleared": cleared, "message": f"{cleared} entries removed"})


async def stats(request: web.Request) -> Reply:
    """GET /provisioning/allowlist/stats."""
    entries = request.app[CONTEXT].state.allowlist.values()
    used = sum(entry.used for entry in entries)
    return Reply({"total": len(entries), "used": used, "available": len(entries) - used})


# Fixed paths come before /{mac}: aiohttp matches resources in registration order.
ROUTES: Final = (
    ("GET", "/provisioning/allowlist", list_entries),
    ("POST", "/provisioning/allowlist", add_entry),
    ("GET", "/provisioning/allowlist/stats", stats),
    ("POST", "/provisioning/allowlist/bulk", bulk_add),
    ("POST", "/provisioning/allowlist/bulk-remove", bulk_remove),
    ("DELETE", "/provisioning/allowlist/all", clear_all),
    ("GET", "/provisioning/allowlist/{mac}", get_entry),
    ("PATCH", "/provisioning/allowlist/{mac}", update_entry),
    ("DELETE", "/provisioning/allowlist/{mac}", delete_entry),
)
