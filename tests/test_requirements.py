"""Every package the integration imports reaches a Home Assistant that installs only itself.

Home Assistant installs its own dependencies and, for a custom integration, what
`manifest.json` lists under `requirements` (constrained by its own
`package_constraints.txt`). Anything else the integration imports is present in
a test environment by luck of the test toolchain, and missing for a person who
runs Home Assistant Core.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
from pathlib import Path
import sys

import homeassistant
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "piorchestrator"
REQUIREMENTS = [
    Requirement(line)
    for line in json.loads((INTEGRATION / "manifest.json").read_text())["requirements"]
]
FIRST_PARTY = {"homeassistant", "custom_components", "__future__"}


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level third-party modules the integration imports, and which files do."""
    found: dict[str, list[str]] = {}
    for path in sorted(INTEGRATION.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def _distributions_of(module_name: str) -> set[str]:
    """The distributions that install `module_name`, as it resolves at run time.

    Resolved after Home Assistant is imported, so a module Home Assistant
    provides under another name (newer releases alias `voluptuous`) is
    attributed to the package that really provides it.
    """
    module = importlib.import_module(module_name)
    real = module.__name__.split(".")[0]
    providers = importlib.metadata.packages_distributions().get(real, [])
    return {canonicalize_name(name) for name in providers}


def _direct_dependencies(distribution: str) -> set[str]:
    try:
        lines = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return set()  # for another platform or Python; not installed, so never imported
    dependencies: set[str] = set()
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            dependencies.add(canonicalize_name(requirement.name))
    return dependencies


def _installed_with(roots: set[str]) -> set[str]:
    """Every distribution pip installs for `roots`, theirs included."""
    seen: set[str] = set()
    pending: list[str] = [canonicalize_name(root) for root in roots]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_direct_dependencies(name) - seen)
    return seen


def _home_assistant_pins() -> dict[str, Version]:
    constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
    pins: dict[str, Version] = {}
    for line in constraints.read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[canonicalize_name(name.strip())] = Version(version.split(";")[0].strip())
    return pins


def test_every_third_party_import_is_installed_by_home_assistant_or_declared() -> None:
    assert homeassistant  # imported first: it may alias modules the integration imports
    provided = _installed_with({"homeassistant"} | {req.name for req in REQUIREMENTS})
    imports = _third_party_imports()
    assert imports, "the integration imports no third-party package: the check reads nothing"
    undeclared = {
        module: files
        for module, files in imports.items()
        if not _distributions_of(module) & provided
    }
    assert undeclared == {}, (
        "imported but installed neither with Home Assistant nor with manifest.json requirements"
    )


def test_every_requirement_is_imported() -> None:
    """A requirement nothing imports would make every user install it for nothing."""
    imported = set().union(*(_distributions_of(module) for module in _third_party_imports()))
    unused = [str(req) for req in REQUIREMENTS if canonicalize_name(req.name) not in imported]
    assert unused == []


def test_requirements_accept_what_home_assistant_pins_and_what_is_installed() -> None:
    """Home Assistant installs a requirement within its own pins; a range must allow them."""
    pins = _home_assistant_pins()
    for requirement in REQUIREMENTS:
        name = canonicalize_name(requirement.name)
        assert requirement.specifier, f"{requirement} accepts any version, even a future major"
        installed = Version(importlib.metadata.version(requirement.name))
        assert requirement.specifier.contains(installed), f"{requirement} refuses {installed}"
        if name in pins:
            assert requirement.specifier.contains(pins[name]), (
                f"{requirement} refuses {pins[name]}, which Home Assistant pins"
            )
