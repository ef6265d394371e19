"""Entity IDs after renaming the Pi's device, as Home Assistant's UI offers to do."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.util import slugify


def renamed_entity_ids(entity_ids: Iterable[str], old_name: str, new_name: str) -> dict[str, str]:
    """Map each entity ID that starts with the old device name to one with the new name.

    The Pi's device is first named after its host (`127.0.0.1`, so
    `sensor.127_0_0_1_cpu_usage`); renamed `Cabinet Pi`, its entities become
    `sensor.cabinet_pi_cpu_usage`, the IDs the example dashboard uses.
    """
    old, new = slugify(old_name), slugify(new_name)
    renames: dict[str, str] = {}
    for entity_id in entity_ids:
        domain, _, object_id = entity_id.partition(".")
        if object_id.startswith(f"{old}_"):
            renames[entity_id] = f"{domain}.{new}{object_id.removeprefix(old)}"
    return renames
