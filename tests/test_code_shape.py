"""The shape the code keeps: short functions, and the boundaries between its parts.

- No function or method in the integration is longer than 60 lines: a longer one
  does more than one thing, and the next change to it is a guess.
- The client library (`api/`) imports nothing from Home Assistant, directly or
  through a relative import that leaves the library (the integration's package
  imports Home Assistant): it must work in any asyncio program.
- The simulator never imports the integration: it is written from API.md alone, so
  the client and the simulator each check the other against the contract.

Each check reads the source with `ast` rather than importing it, and is also run
against a small made-up package that breaks it, so that a scan that sees nothing
cannot pass.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "piorchestrator"
MAX_FUNCTION_LINES = 60


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """Every function and method in `tree`: qualified name and length in lines.

    The length runs from the `def` line to the last line of the body, docstring
    included, decorators not.
    """
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, (node.end_lineno or node.lineno) - node.lineno + 1
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _long_functions(root: Path) -> tuple[int, list[str]]:
    """How many functions there are under `root`, and `file:function:length` of the long."""
    seen = 0
    long: list[str] = []
    for path in sorted(root.rglob("*.py")):
        for name, length in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            seen += 1
            if length > MAX_FUNCTION_LINES:
                long.append(f"{path.relative_to(root.parent)}:{name}:{length}")
    return seen, long


def _module_name(path: Path, top: Path) -> tuple[str, str]:
    """The dotted name of the module at `path`, and of the package it sits in."""
    parts = list(path.relative_to(top).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _imports(package: Path, top: Path) -> Iterator[tuple[str, str]]:
    """Every module imported under `package`, relative imports resolved: (module, import)."""
    for path in sorted(package.rglob("*.py")):
        module, parent = _module_name(path, top)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, alias.name
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    yield module, node.module or ""
                    continue
                base = parent.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                yield module, ".".join([*base, node.module] if node.module else base)


def _library_offenders(library: Path, top: Path) -> tuple[int, list[str]]:
    """Imports under `library` that reach Home Assistant or the rest of the integration."""
    own, _ = _module_name(library / "__init__.py", top)
    outside = own.rsplit(".", 1)[0]
    seen = 0
    offenders: list[str] = []
    for module, name in _imports(library, top):
        seen += 1
        leaves = name == outside or (
            name.startswith(f"{outside}.") and not (name == own or name.startswith(f"{own}."))
        )
        if name.split(".")[0] == "homeassistant" or leaves:
            offenders.append(f"{module}: {name}")
    return seen, offenders


def _simulator_offenders(simulator: Path, top: Path) -> tuple[int, list[str]]:
    """Imports under `simulator` that reach the integration."""
    found = list(_imports(simulator, top))
    offenders = [f"{m}: {name}" for m, name in found if name.split(".")[0] == "custom_components"]
    return len(found), offenders


def test_no_function_in_the_integration_is_over_60_lines() -> None:
    seen, long = _long_functions(INTEGRATION)
    assert seen > 500, "fewer functions found than the integration has: the scan is broken"
    assert long == []


def test_the_client_library_imports_nothing_from_home_assistant() -> None:
    seen, offenders = _library_offenders(INTEGRATION / "api", ROOT)
    assert seen > 100, "fewer imports found than the library has: the scan is broken"
    assert offenders == []


def test_the_simulator_imports_nothing_from_the_integration() -> None:
    seen, offenders = _simulator_offenders(ROOT / "simulator", ROOT)
    assert seen > 100, "fewer imports found than the simulator has: the scan is broken"
    assert offenders == []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checks_find_what_breaks_them(tmp_path: Path) -> None:
    """A made-up tree with one of each violation, beside code that keeps the rules."""
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    component = tmp_path / "custom_components" / "demo"
    _write(component / "__init__.py", "import homeassistant.core\n")
    _write(component / "const.py", "DOMAIN = 'demo'\n")
    _write(
        component / "api" / "client.py",
        "from . import models\nfrom .models import Board\nfrom ..const import DOMAIN\n"
        f"class Client:\n    def fits():\n{body}\n    async def too_long():\n{body}        pass\n",
    )
    _write(component / "api" / "models.py", "from homeassistant.core import HomeAssistant\n")
    _write(component / "api" / "__init__.py", "import custom_components.demo.api.models\n")
    _write(component / "api" / "nested" / "deep.py", "from ... import const\nfrom .. import x\n")
    _write(tmp_path / "simulator" / "app.py", "from custom_components.demo.api import Client\n")

    assert _long_functions(component) == (2, ["demo/api/client.py:Client.too_long:61"])
    _, offenders = _library_offenders(component / "api", tmp_path)
    assert offenders == [
        "custom_components.demo.api.client: custom_components.demo.const",
        "custom_components.demo.api.models: homeassistant.core",
        "custom_components.demo.api.nested.deep: custom_components.demo",
    ]
    _, offenders = _simulator_offenders(tmp_path / "simulator", tmp_path)
    assert offenders == ["simulator.app: custom_components.demo.api"]
