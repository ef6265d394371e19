"""Figure 5: set-up of the config entry, idle and with a session in progress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.piorchestrator.const import DOMAIN

from ..harness import SimChild, home_assistant, make_entry, setup_entry
from ..profiles import Profile
from ..stats import summarise
from .common import FAST, config_dir, fast_config


async def setup_time(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 5: set-up of the config entry, idle Pi and Pi with a session in progress.

    Idle: the Pi has no session. In progress: Home Assistant restarts while the Pi
    holds a session of `setup_boards` verified boards it was following (the session
    ID is in the integration's storage), so set-up creates every board's device and
    entities. Each runs in a fresh Home Assistant; the first run of the process also
    pays for importing the integration and its platforms ("cold").
    """
    idle = []
    for repeat in range(profile.setup_repeats):
        sim = await SimChild.start(boards=5, speed=1)
        try:
            async with home_assistant(config_dir(work, f"setup-idle-{repeat}")) as hass:
                idle.append({"seconds": await setup_entry(hass, make_entry(sim))})
        finally:
            await sim.close()
    busy = [await _setup_busy(profile, work, repeat) for repeat in range(profile.setup_repeats)]
    return {
        "idle": {"runs": idle, "summary": summarise(idle[1:] or idle), "cold": idle[0]},
        "in_progress": {"runs": busy, "summary": summarise(busy)},
    }


async def _setup_busy(profile: Profile, work: Path, repeat: int) -> dict[str, Any]:
    sim = await SimChild.start(**fast_config(FAST, boards=profile.setup_boards))
    try:
        done = await sim.call("run_session", within=300)
        directory = config_dir(work, f"setup-busy-{repeat}")
        async with home_assistant(directory) as hass:
            entry = make_entry(sim)
            storage = directory / ".storage"
            storage.mkdir(exist_ok=True)
            key = f"{DOMAIN}.{entry.entry_id}.provisioning"
            (storage / key).write_text(
                json.dumps(
                    {
                        "version": 1,
                        "minor_version": 1,
                        "key": key,
                        "data": {"session_id": done["session_id"]},
                    }
                )
            )
            seconds = await setup_entry(hass, entry)
            entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
            devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
            with_state = sum(hass.states.get(entity.entity_id) is not None for entity in entities)
            return {
                "boards": done["boards"],
                "seconds": seconds,
                "devices": len(devices),
                "entities": len(entities),
                "entities_with_state": with_state,
            }
    finally:
        await sim.close()
