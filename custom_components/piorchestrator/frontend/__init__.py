"""Serve the cards' bundle and load it into every dashboard.

Done once per Home Assistant run, from `async_setup`: routes cannot be removed,
and adding the same one again on an entry reload fails. The bundle is served
with long cache headers, so its URL carries the integration's version and a
hash of its content: a new bundle is a new URL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER

BUNDLE: Final = Path(__file__).parent / "piorchestrator-cards.js"
URL_PATH: Final = f"/{DOMAIN}_static/{BUNDLE.name}"
_REGISTERED: HassKey[str] = HassKey(f"{DOMAIN}_frontend_url")


def bundle_hash(path: Path) -> str | None:
    """The first hex digits of the bundle's SHA-256, or None when it is missing."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    return hashlib.sha256(content).hexdigest()[:16]


async def async_register_frontend(hass: HomeAssistant) -> str | None:
    """Serve the bundle and add it to the frontend; returns its URL.

    Only the first call of a run registers anything; later ones return the URL.
    """
    if (url := hass.data.get(_REGISTERED)) is not None:
        return url
    digest = await hass.async_add_executor_job(bundle_hash, BUNDLE)
    if digest is None:
        LOGGER.warning(
            "The cards' bundle %s is missing, so the PiOrchestrator cards are not available; "
            "reinstall the integration",
            BUNDLE.name,
        )
        return None
    version = (await async_get_integration(hass, DOMAIN)).version
    url = f"{URL_PATH}?v={version}-{digest}"
    await hass.http.async_register_static_paths(
        [StaticPathConfig(URL_PATH, str(BUNDLE), cache_headers=True)]
    )
    add_extra_js_url(hass, url)
    hass.data[_REGISTERED] = url
    return url
