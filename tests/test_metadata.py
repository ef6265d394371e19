"""What hassfest and the HACS action would check, since neither can run here.

The project's own boundaries (the client library knows nothing of Home Assistant,
the simulator nothing of the integration) are checked in test_code_shape.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import resources
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import Platform
import pytest

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "piorchestrator"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())

MANIFEST_KEYS = {
    "domain", "name", "after_dependencies", "bluetooth", "codeowners", "config_flow",
    "dependencies", "dhcp", "documentation", "homekit", "import_executor", "integration_type",
    "iot_class", "issue_tracker", "loggers", "mqtt", "quality_scale", "requirements",
    "single_config_entry", "ssdp", "usb", "version", "zeroconf",
}  # fmt: skip
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
# Components hassfest lets any integration import without declaring them.
ALLOWED_COMPONENTS = {platform.value for platform in Platform} | {
    "automation", "device_automation", "diagnostics", "frontend", "homeassistant", "logbook",
    "persistent_notification", "repairs", "script", "system_health", "websocket_api",
}  # fmt: skip
TRANSLATION_KEY = re.compile(r"^[a-z0-9_-]+$")


def test_manifest_has_what_hassfest_and_hacs_require() -> None:
    for key in (
        "domain",
        "name",
        "codeowners",
        "documentation",
        "issue_tracker",
        "version",
        "iot_class",
    ):
        assert MANIFEST.get(key), key
    assert set(MANIFEST) <= MANIFEST_KEYS
    assert MANIFEST["domain"] == INTEGRATION.name
    assert MANIFEST["documentation"].startswith("https://")
    assert "home-assistant.io/integrations" not in MANIFEST["documentation"]
    assert all(owner.startswith("@") for owner in MANIFEST["codeowners"])
    assert MANIFEST["iot_class"] == "local_push"
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["config_flow"] is True
    assert (INTEGRATION / "config_flow.py").is_file()
    assert AwesomeVersion(MANIFEST["version"]).valid
    assert all(" " not in requirement for requirement in MANIFEST["requirements"])


def test_manifest_keys_are_ordered_domain_name_then_alphabetically() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_hacs_json_uses_only_known_keys_and_the_tested_version() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["name"]
    assert set(hacs) <= HACS_KEYS
    assert isinstance(hacs.get("render_readme", True), bool)
    pins = (ROOT / "requirements_test.txt").read_text()
    assert "pytest-homeassistant-custom-component==0.13.236" in pins  # pins HA 2025.4.4
    assert hacs["homeassistant"] == "2025.4.4"


def test_every_json_file_parses() -> None:
    for path in INTEGRATION.rglob("*.json"):
        json.loads(path.read_text())


def _strings(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_translations_match_strings() -> None:
    assert _strings(INTEGRATION / "strings.json") == _strings(
        INTEGRATION / "translations" / "en.json"
    )


def _walk(node: Any, path: str = "") -> list[tuple[str, str, Any]]:
    items: list[tuple[str, str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            items.append((path, key, value))
            items.extend(_walk(value, f"{path}.{key}"))
    return items


def test_strings_follow_the_translation_schema_rules() -> None:
    strings = _strings(INTEGRATION / "strings.json")
    for path, key, value in _walk(strings):
        assert TRANSLATION_KEY.match(key), f"{path}.{key}"
        if isinstance(value, str):
            assert value == value.strip(), f"{path}.{key} has surrounding blanks"
            assert not re.search(r"<[a-z/][^>]*>", value), f"{path}.{key} contains HTML"
            assert not re.search(r"'\{[a-z_]+\}'", value), f"{path}.{key} quotes a placeholder"
        if key == "data_description":
            assert set(value) <= set(_lookup(strings, path)["data"]), path


def _lookup(tree: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: Any = tree
    for part in dotted.strip(".").split("."):
        node = node[part]
    return node  # type: ignore[no-any-return]


def test_every_translation_key_in_the_code_is_translated() -> None:
    strings = _strings(INTEGRATION / "strings.json")
    known = (
        set(strings.get("exceptions", {}))
        | set(strings.get("issues", {}))
        | set(strings.get("selector", {}))
    )
    for platform_strings in strings["entity"].values():
        known |= set(platform_strings)
    for module in INTEGRATION.rglob("*.py"):
        for key in re.findall(r'translation_key="([a-z0-9_]+)"', module.read_text()):
            assert key in known, f"{module.name}: {key}"


def test_icons_are_material_design_icons() -> None:
    icons = _strings(INTEGRATION / "icons.json")
    for path, key, value in _walk(icons):
        if isinstance(value, str):
            assert value.startswith("mdi:"), f"{path}.{key}"


def _state_icon_sections(icons: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each set of state icons with the default it falls back to, named as hassfest names it."""
    for entities in icons.get("entity", {}).values():
        for key, section in entities.items():
            yield key, section
            yield from section.get("state_attributes", {}).items()


def test_no_state_icon_repeats_its_default() -> None:
    """hassfest: "The icon for state `x.y` is the same as the default icon"."""
    icons = _strings(INTEGRATION / "icons.json")
    sections = list(_state_icon_sections(icons))
    assert any("state" in section for _, section in sections), "no state icons read"
    redundant = [
        f"{name}.{state}"
        for name, section in sections
        if (default := section.get("default"))
        for state, icon in section.get("state", {}).items()
        if icon == default
    ]
    assert redundant == []


MDI_NAME = re.compile(r"\bmdi:([a-z0-9-]+)")
ICON_USERS = (INTEGRATION, ROOT / "blueprints", ROOT / "dashboards")


def _frontend_icon_names() -> set[str]:
    """The icons the installed frontend can draw; any other name renders blank."""
    icon_list = resources.files("hass_frontend") / "static" / "mdi" / "iconList.json"
    return {icon["name"] for icon in json.loads(icon_list.read_text())}


def test_every_icon_named_anywhere_exists_in_the_frontend() -> None:
    used: dict[str, set[str]] = {}
    for folder in ICON_USERS:
        for path in folder.rglob("*"):
            if path.suffix in {".py", ".json", ".yaml", ".yml"}:
                for name in MDI_NAME.findall(path.read_text()):
                    used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert len(used) > 20, "fewer icons found than icons.json alone names: the scan is broken"
    known = _frontend_icon_names()
    missing = {name: sorted(paths) for name, paths in used.items() if name not in known}
    assert missing == {}


def _imports(package: Path) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for module in package.rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((module, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((module, node.module))
    return found


def test_component_imports_are_declared_dependencies() -> None:
    declared = set(MANIFEST.get("dependencies", [])) | set(MANIFEST.get("after_dependencies", []))
    for module, name in _imports(INTEGRATION):
        if name.startswith("homeassistant.components."):
            component = name.split(".")[2]
            assert component in declared | ALLOWED_COMPONENTS, f"{module.name} imports {name}"


@pytest.mark.parametrize("name", ["py.typed"])
def test_client_library_ships_type_information(name: str) -> None:
    assert (INTEGRATION / "api" / name).is_file()


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon.png", (256, 256)),
        ("icon@2x.png", (512, 512)),
        ("logo.png", None),
        ("logo@2x.png", None),
    ],
)
def test_brand_images_exist_for_hacs_and_newer_home_assistant(
    name: str, size: tuple[int, int] | None
) -> None:
    from PIL import Image

    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.format == "PNG"
        if size is not None:
            assert image.size == size
        else:
            assert image.height in (256, 512)
