"""Check the integration's use of Home Assistant against a newer release's source.

Reads a Home Assistant tree (the newest wheel on the index, or a directory) WITHOUT
importing it, because the newest release may need a Python this machine does not have. Our
code is walked with `ast` to collect every Home Assistant name it imports, calls or reads
(module attributes, and attributes on `hass`, config entries, registries, device entries,
flows, coordinators and entity base classes, followed through annotations). Each name is
looked up in the newer tree: does it still exist, and does the newer code report its use as
deprecated (`report_usage`, `DeprecatedConstant`, `deprecated_class`/`deprecated_function`,
"will stop working in"), and from which release will it break.

Usages behind feature detection (`hasattr`/`getattr` probes, `except AttributeError`) are
reported as such: the newer release takes the other branch when it has the probed name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import argparse
import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
import re
import subprocess
import sys
import zipfile

VERSION_RE = re.compile(r"\b(20\d\d)\.(\d{1,2})(?:\.\d+)?\b")
STOP_WORKING_RE = re.compile(
    r"will stop working in(?: Home Assistant)? (20\d\d\.\d{1,2}(?:\.\d+)?)"
)
# Python 3.14 allows `except A, B:`; 3.13's parser does not. Rewritten before parsing.
EXCEPT_314_RE = re.compile(r"^(\s*except\*?\s+)(?!\()([\w.]+(?:\s*,\s*[\w.]+)+)(\s*:)", re.M)
REPORTERS = {"report_usage", "_report_usage"}
DEPRECATING_DECORATORS = {"deprecated_class", "deprecated_function", "deprecated_hass_argument"}
DEPRECATED_CONSTANTS = {"DeprecatedConstant", "DeprecatedConstantEnum", "DeprecatedAlias"}
TYPING_BASES = {"Generic", "Protocol", "object", "ABC", "Any"}
SKIPPED_NAMES = {"__init__", "__class__", "__name__", "__dict__"}


# --- the Home Assistant tree --------------------------------------------------------------


class Tree(ABC):
    """Files of a Home Assistant source tree, by path relative to its root."""

    @abstractmethod
    def read(self, path: str) -> str | None:
        """Return the file's text, or None when it does not exist."""

    def version(self) -> str | None:
        """Return the tree's Home Assistant version from `homeassistant/const.py`."""
        text = self.read("homeassistant/const.py") or ""
        major = re.search(r"^MAJOR_VERSION(?::\s*\w+)?\s*=\s*(\d+)", text, re.M)
        minor = re.search(r"^MINOR_VERSION(?::\s*\w+)?\s*=\s*(\d+)", text, re.M)
        patch = re.search(r"^PATCH_VERSION(?::\s*\w+)?\s*=\s*\"([^\"]+)\"", text, re.M)
        if major and minor:
            return f"{major[1]}.{minor[1]}.{patch[1] if patch else '0'}"
        return None


class DirTree(Tree):
    """A tree on disk (unit-test fixtures, an unpacked wheel)."""

    def __init__(self, root: Path) -> None:
        """Read files below root."""
        self.root = root

    def read(self, path: str) -> str | None:
        """Return the file's text, or None when it does not exist."""
        file = self.root / path
        return file.read_text(encoding="utf-8") if file.is_file() else None


class WheelTree(Tree):
    """A wheel read in place: nothing is unpacked or imported."""

    def __init__(self, wheel: Path) -> None:
        """Open the wheel."""
        self.zip = zipfile.ZipFile(wheel)
        self.names = set(self.zip.namelist())

    def read(self, path: str) -> str | None:
        """Return the file's text, or None when it does not exist."""
        if path not in self.names:
            return None
        return self.zip.read(path).decode("utf-8")


@dataclass(frozen=True)
class Deprecation:
    """How the newer code reports a use, and when it will break."""

    breaks_in: str | None
    how: str
    # Reported only when the call passes this keyword argument (or, with
    # when_missing, only when it does not).
    keyword: str | None = None
    when_missing: bool = False
    # Reported only when the entry has something our code adds with `add_<x>`.
    populated_by: str | None = None


@dataclass
class Member:
    """A name defined in a module or class of the tree."""

    name: str
    annotation: ast.expr | None
    is_function: bool
    deprecations: list[Deprecation] = field(default_factory=list)
    params: set[str] | None = None  # None: takes **kwargs or unknown
    alias: ast.expr | None = None  # `Name = OtherName`: follow it


@dataclass
class ClassInfo:
    """A class of the tree."""

    module: ModuleInfo
    name: str
    bases: list[ast.expr]
    members: dict[str, Member]
    dynamic: bool  # defines __getattr__: any attribute may exist
    deprecations: list[Deprecation] = field(default_factory=list)


@dataclass
class ModuleInfo:
    """A module of the tree."""

    name: str
    package: bool
    names: dict[str, Member]
    imports: dict[str, str]
    classes: dict[str, ClassInfo]
    keyword_tables: dict[str, Deprecation]
    dynamic: bool
    parsed: bool


def _version_in(node: ast.AST) -> str | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if found := STOP_WORKING_RE.search(sub.value):
                return found[1]
            if VERSION_RE.fullmatch(sub.value.strip()):
                return sub.value.strip()
    return None


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _names_in(node: ast.AST) -> set[str]:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[str], bool]:
    args = func.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return names - {"self", "cls"}, args.kwarg is not None


class _DeprecationFinder:
    """Finds what a function body reports, and under which condition."""

    def __init__(self, helpers: dict[str, str | None]) -> None:
        self.helpers = helpers  # reporting helper functions -> their removal release

    def scan(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Deprecation]:
        found = [
            Deprecation(_version_in(deco), str(_call_name(deco)))
            for deco in func.decorator_list
            if _call_name(deco) in DEPRECATING_DECORATORS
        ]
        params, _ = _params(func)
        self._walk(func.body, [], params, found)
        return found

    def _walk(
        self,
        body: Iterable[ast.AST],
        tests: list[tuple[ast.expr, bool]],
        params: set[str],
        out: list[Deprecation],
    ) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                continue
            if isinstance(node, ast.If):
                self._walk(node.body, [*tests, (node.test, False)], params, out)
                self._walk(node.orelse, [*tests, (node.test, True)], params, out)
                if node.body and isinstance(node.body[-1], ast.Return | ast.Raise | ast.Continue):
                    # A guard clause: what follows runs only when its test is false.
                    tests = [*tests, (node.test, True)]
                continue
            # Loops over a table of deprecated parameters are read as keyword tables.
            if (
                isinstance(node, ast.For | ast.AsyncFor)
                and "DEPRECATED" in ast.unparse(node.iter).upper()
            ):
                continue
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in REPORTERS or name in self.helpers:
                    version = _version_in(node) if name in REPORTERS else self.helpers[name or ""]
                    out.append(self._conditioned(version, name or "", tests, params))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if hit := STOP_WORKING_RE.search(node.value):
                    out.append(self._conditioned(hit[1], "will stop working in", tests, params))
            self._walk(ast.iter_child_nodes(node), tests, params, out)

    @staticmethod
    def _conditioned(
        version: str | None, how: str, tests: list[tuple[ast.expr, bool]], params: set[str]
    ) -> Deprecation:
        for test, negated in reversed(tests):  # the innermost condition decides
            used = _names_in(test) & params
            if not used:
                continue
            param = sorted(used)[0]
            for sub in ast.walk(test):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in params
                ):
                    return Deprecation(version, how, populated_by=sub.attr)
            return Deprecation(
                version, how, keyword=param, when_missing=_means_missing(test) != negated
            )
        return Deprecation(version, how)


def _means_missing(test: ast.expr) -> bool:
    """Whether a true test means the parameter was not passed (`p is None`, `not p`)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not _means_missing(test.operand)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return isinstance(test.ops[0], ast.Is | ast.Eq)
    return False


def _text_fallback(name: str, text: str, package: bool) -> ModuleInfo:
    """Names a module defines, read as text when even the rewritten source does not parse."""
    names: dict[str, Member] = {}
    for hit in re.finditer(r"^(?:async\s+def|def|class)\s+(\w+)|^(\w+)\s*[:=]", text, re.M):
        key = hit[1] or hit[2]
        names[key] = Member(key, None, is_function=True)
    for hit in re.finditer(r"^from\s+[\w.]+\s+import\s+\(?([\w\s,]+)\)?", text, re.M):
        for part in hit[1].split(","):
            key = part.split(" as ")[-1].strip()
            if key:
                names[key] = Member(key, None, is_function=False)
    for hit in re.finditer(
        r"^_DEPRECATED_(\w+)\s*(?::[^=\n]+)?=\s*Deprecated\w+\((.*?)\)\s*$", text, re.M | re.S
    ):
        ver = VERSION_RE.findall(hit[2])
        names[hit[1]] = Member(
            hit[1],
            None,
            False,
            [Deprecation(".".join(ver[-1]) if ver else None, "DeprecatedConstant")],
        )
    return ModuleInfo(name, package, names, {}, {}, {}, dynamic=True, parsed=False)


class Index:
    """Lazily parsed modules of a Home Assistant tree."""

    def __init__(self, tree: Tree) -> None:
        """Index tree."""
        self.tree = tree
        self._modules: dict[str, ModuleInfo | None] = {}

    def module(self, name: str) -> ModuleInfo | None:
        """Return the module called name, or None when the tree has none."""
        if name not in self._modules:
            self._modules[name] = self._load(name)
        return self._modules[name]

    def _load(self, name: str) -> ModuleInfo | None:
        path = name.replace(".", "/")
        package = False
        text = self.tree.read(path + ".py")
        if text is None:
            text = self.tree.read(path + "/__init__.py")
            package = text is not None
        if text is None:
            return None
        try:
            tree = ast.parse(EXCEPT_314_RE.sub(r"\1(\2)\3", text))
        except SyntaxError:
            return _text_fallback(name, text, package)
        return _ModuleBuilder(name, package).build(tree)

    # -- lookups ---------------------------------------------------------------------------

    def qualify(self, module: ModuleInfo, expr: ast.expr | None) -> str | None:
        """Return the qualified name an annotation or base expression refers to."""
        if expr is None:
            return None
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                return self.qualify(module, ast.parse(expr.value, mode="eval").body)
            except SyntaxError:
                return None
        if isinstance(expr, ast.Subscript):
            return self.qualify(module, expr.value)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            left = expr.left
            if isinstance(left, ast.Constant) and left.value is None:
                return self.qualify(module, expr.right)
            return self.qualify(module, left)
        if isinstance(expr, ast.Name):
            if expr.id in module.imports:
                return module.imports[expr.id]
            if expr.id in module.classes or expr.id in module.names:
                return f"{module.name}.{expr.id}"
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualify(module, expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def lookup(self, qualified: str, depth: int = 0) -> Found | None:
        """Find a qualified name: a module, a class, a module member or a class member."""
        if depth > 8:
            return Found("unverifiable", qualified)
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            mod = self.module(".".join(parts[:cut]))
            if mod is not None:
                return self._within(mod, parts[cut:], depth)
        return None

    def _within(self, mod: ModuleInfo, rest: list[str], depth: int) -> Found | None:
        if not rest:
            return Found("module", mod.name, module=mod)
        head, tail = rest[0], rest[1:]
        found: Found | None
        if head in mod.classes:
            cls = mod.classes[head]
            found = Found(
                "class", f"{mod.name}.{head}", cls=cls, deprecations=list(cls.deprecations)
            )
            if head in mod.names:
                found.deprecations += mod.names[head].deprecations
        elif head in mod.names:
            member = mod.names[head]
            target = self.qualify(mod, member.alias) if member.alias is not None else None
            aliased = self.lookup(target, depth + 1) if target else None
            if aliased is not None:
                found = aliased
                found.deprecations = [*member.deprecations, *aliased.deprecations]
            else:
                found = Found("member", f"{mod.name}.{head}", member=member, module=mod)
                found.deprecations = list(member.deprecations)
        elif head in mod.imports:
            found = self.lookup(mod.imports[head], depth + 1)
        elif (sub := self.module(f"{mod.name}.{head}")) is not None:
            found = Found("module", sub.name, module=sub)
        elif mod.dynamic:
            return Found("unverifiable", f"{mod.name}.{head}")
        else:
            return None
        if found is None or not tail:
            return found
        return self.attribute(found, tail[0]) if len(tail) == 1 else self._chain(found, tail)

    def _chain(self, found: Found, tail: list[str]) -> Found | None:
        current: Found | None = found
        for attr in tail:
            if current is None:
                return None
            current = self.attribute(current, attr)
        return current

    def attribute(self, owner: Found, attr: str) -> Found | None:
        """Look attr up on a module, a class (through its bases) or an instance's class."""
        if owner.kind == "module" and owner.module is not None:
            return self._within(owner.module, [attr], 0)
        if owner.kind in {"class", "instance"} and owner.cls is not None:
            return self.member(owner.cls, attr)
        if owner.kind == "member":
            # A module-level value or attribute: read through its annotated type.
            instance = self.instance_of(owner)
            if instance is not None and owner.member is not None and not owner.member.is_function:
                return self.attribute(instance, attr)
        return Found("unverifiable", f"{owner.qualified}.{attr}")

    def member(self, cls: ClassInfo, attr: str, seen: set[int] | None = None) -> Found | None:
        """Find attr on cls or one of its bases; None when it certainly does not exist."""
        seen = seen or set()
        if id(cls) in seen:
            return None
        seen.add(id(cls))
        if attr in cls.members:
            member = cls.members[attr]
            qualified = f"{cls.module.name}.{cls.name}.{attr}"
            return Found(
                "member",
                qualified,
                member=member,
                module=cls.module,
                owner=cls,
                deprecations=list(member.deprecations),
            )
        unverifiable = cls.dynamic
        for base in cls.bases:
            base_name = self.qualify(cls.module, base)
            if base_name is None:
                unverifiable = unverifiable or (ast.unparse(base).split("[")[0] not in TYPING_BASES)
                continue
            if not base_name.startswith("homeassistant."):
                if base_name.split(".")[-1] not in TYPING_BASES:
                    unverifiable = True
                continue
            base_found = self.lookup(base_name)
            if base_found is None or base_found.cls is None:
                unverifiable = True
                continue
            if (hit := self.member(base_found.cls, attr, seen)) is not None:
                return hit
        if unverifiable:
            return Found("unverifiable", f"{cls.module.name}.{cls.name}.{attr}")
        return None

    def instance_of(self, found: Found) -> Found | None:
        """What reading (or calling) found gives, from its annotations."""
        if found.kind == "class":
            return Found("instance", found.qualified, cls=found.cls)
        if found.kind != "member" or found.member is None or found.module is None:
            return None
        qualified = self.qualify(found.module, found.member.annotation)
        if qualified is None:
            return None
        target = self.lookup(qualified)
        if target is not None and target.kind == "class":
            return Found("instance", target.qualified, cls=target.cls)
        return None


@dataclass
class Found:
    """What a qualified name is in the tree."""

    kind: str  # module, class, instance, member, unverifiable
    qualified: str
    module: ModuleInfo | None = None
    cls: ClassInfo | None = None
    member: Member | None = None
    owner: ClassInfo | None = None
    deprecations: list[Deprecation] = field(default_factory=list)


class _ModuleBuilder:
    def __init__(self, name: str, package: bool) -> None:
        self.name = name
        self.package = package

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.name.split(".")
        base = parts if self.package else parts[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def build(self, tree: ast.Module) -> ModuleInfo:
        mod = ModuleInfo(self.name, self.package, {}, {}, {}, {}, dynamic=False, parsed=True)
        functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Member]] = []
        for node in tree.body:
            for stmt in self._flatten(node):
                self._top_level(mod, stmt, functions)
        # Functions whose body reports are helpers that make their callers deprecated too.
        helpers: dict[str, str | None] = {}
        for _ in range(2):
            finder = _DeprecationFinder(helpers)
            for func, member in functions:
                member.deprecations = finder.scan(func)
                unconditional = [
                    d for d in member.deprecations if d.keyword is None and d.populated_by is None
                ]
                if func.name.startswith("_") and unconditional:
                    helpers[func.name] = unconditional[0].breaks_in
        return mod

    @staticmethod
    def _flatten(node: ast.stmt) -> Iterator[ast.stmt]:
        # `if TYPE_CHECKING:` / `try: import` blocks still define names.
        if isinstance(node, ast.If | ast.Try):
            for child in [*node.body, *node.orelse, *getattr(node, "finalbody", [])]:
                yield from _ModuleBuilder._flatten(child)
            for handler in getattr(node, "handlers", []):
                for child in handler.body:
                    yield from _ModuleBuilder._flatten(child)
        else:
            yield node

    def _top_level(
        self,
        mod: ModuleInfo,
        node: ast.stmt,
        functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Member]],
    ) -> None:
        if isinstance(node, ast.ImportFrom):
            source = self._absolute(node)
            for alias in node.names:
                mod.imports[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    mod.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    mod.imports[top] = top
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            params, kwargs = _params(node)
            member = Member(node.name, node.returns, True, params=None if kwargs else params)
            mod.names[node.name] = member
            functions.append((node, member))
            if node.name == "__getattr__":
                mod.dynamic = True
        elif isinstance(node, ast.ClassDef):
            mod.classes[node.name] = self._class(mod, node, functions)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.TypeAlias):
            self._assign(mod, node)

    def _assign(self, mod: ModuleInfo, node: ast.Assign | ast.AnnAssign | ast.TypeAlias) -> None:
        if isinstance(node, ast.TypeAlias):
            mod.names[node.name.id] = Member(node.name.id, node.value, False)
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
            if (
                isinstance(value, ast.Call)
                and _call_name(value) in DEPRECATED_CONSTANTS
                and name.startswith("_DEPRECATED_")
            ):
                real = name.removeprefix("_DEPRECATED_")
                strings = [
                    a.value
                    for a in value.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                version = next((s for s in reversed(strings) if VERSION_RE.fullmatch(s)), None)
                mod.names[real] = Member(
                    real, None, False, [Deprecation(version, str(_call_name(value)))]
                )
                continue
            if "DEPRECATED" in name.upper() and isinstance(value, ast.Dict):
                for key, entry in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        mod.keyword_tables[key.value] = Deprecation(_version_in(entry), name)
            if name in mod.names and mod.names[name].deprecations:
                continue  # the DeprecatedConstant entry wins over a plain alias
            alias = value if isinstance(value, ast.Name | ast.Attribute) else None
            mod.names[name] = Member(name, annotation, False, alias=alias)

    def _class(
        self,
        mod: ModuleInfo,
        node: ast.ClassDef,
        functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Member]],
    ) -> ClassInfo:
        cls = ClassInfo(mod, node.name, list(node.bases), {}, dynamic=False)
        for deco in node.decorator_list:
            if _call_name(deco) in DEPRECATING_DECORATORS:
                cls.deprecations.append(Deprecation(_version_in(deco), str(_call_name(deco))))
        for stmt in node.body:
            for item in self._flatten(stmt):
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    is_property = any(
                        _call_name(d)
                        in {"property", "cached_property", "cached_property_with_alias"}
                        or (isinstance(d, ast.Attribute) and d.attr in {"getter"})
                        for d in item.decorator_list
                    )
                    params, kwargs = _params(item)
                    member = Member(
                        item.name, item.returns, not is_property, params=None if kwargs else params
                    )
                    if item.name in cls.members and cls.members[item.name].deprecations:
                        continue  # a setter after its deprecated getter
                    cls.members[item.name] = member
                    functions.append((item, member))
                    if item.name == "__getattr__":
                        cls.dynamic = True
                    for sub in ast.walk(item):
                        target_ann: tuple[ast.expr, ast.expr | None] | None = None
                        if isinstance(sub, ast.AnnAssign):
                            target_ann = (sub.target, sub.annotation)
                        elif isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                            target_ann = (sub.targets[0], None)
                        if target_ann is None:
                            continue
                        target, ann = target_ann
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                            and target.attr not in cls.members
                        ):
                            cls.members[target.attr] = Member(target.attr, ann, False)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    cls.members[item.target.id] = Member(item.target.id, item.annotation, False)
                elif isinstance(item, ast.Assign):
                    for target in item.targets:
                        if isinstance(target, ast.Name):
                            cls.members[target.id] = Member(target.id, None, False)
                elif isinstance(item, ast.ClassDef):
                    cls.members[item.name] = Member(item.name, None, False)
        return cls


# --- our code -----------------------------------------------------------------------------


@dataclass
class OurClass:
    """A class of the integration."""

    module: OurModule
    name: str
    bases: list[ast.expr]
    attrs: dict[str, ast.expr | None]  # own attributes and methods, with annotations


@dataclass
class OurModule:
    """A module of the integration."""

    name: str
    path: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)
    classes: dict[str, OurClass] = field(default_factory=dict)
    aliases: dict[str, ast.expr] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    """An instance of one of our classes (or `super()` inside one)."""

    cls: OurClass
    only_bases: bool = False


type Typed = Found | OurClass | OurModule | Instance | None


@dataclass
class Usage:
    """One place our code uses a Home Assistant name."""

    name: str
    where: str
    found: Found | None
    keyword: str | None = None
    probe: bool = False
    fallback: bool = False
    deprecations: list[Deprecation] = field(default_factory=list)


def _our_modules(package: Path, root: Path) -> dict[str, OurModule]:
    modules: dict[str, OurModule] = {}
    for file in sorted(package.rglob("*.py")):
        rel = file.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        mod = OurModule(
            name, str(file.relative_to(package)), ast.parse(file.read_text(encoding="utf-8"))
        )
        base = parts if is_package else parts[:-1]
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.ImportFrom):
                src = node.module or ""
                if node.level:
                    up = base[: len(base) - (node.level - 1)]
                    src = ".".join([*up, *([src] if src else [])])
                for alias in node.names:
                    mod.imports[alias.asname or alias.name] = f"{src}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    mod.imports[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        for node in mod.tree.body:
            if isinstance(node, ast.ClassDef):
                attrs: dict[str, ast.expr | None] = {}
                for item in ast.walk(node):
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        attrs.setdefault(item.name, None)
                    elif isinstance(item, ast.AnnAssign):
                        key = _self_or_name(item.target)
                        if key:
                            attrs[key] = item.annotation
                    elif isinstance(item, ast.Assign):
                        for target in item.targets:
                            key = _self_or_name(target)
                            if key:
                                attrs.setdefault(key, None)
                mod.classes[node.name] = OurClass(mod, node.name, list(node.bases), attrs)
            elif isinstance(node, ast.TypeAlias):
                mod.aliases[node.name.id] = node.value
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                mod.aliases[node.targets[0].id] = node.value
        modules[name] = mod
    return modules


def _self_or_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    ):
        return target.attr
    return None


class Collector:
    """Collects our uses of Home Assistant names, looked up in index."""

    def __init__(self, index: Index, modules: dict[str, OurModule], package_name: str) -> None:
        """Walk modules against index."""
        self.index = index
        self.modules = modules
        self.package_name = package_name.split(".")[0]
        self.usages: list[Usage] = []
        self.attr_names: set[str] = set()
        # Module-level feature flags (`HAS_X = hasattr(...)`) and what the newer release says.
        self.flags: dict[str, dict[str, bool]] = {}

    # -- typing ----------------------------------------------------------------------------

    def _qualified(self, qualified: str, depth: int = 0) -> Typed:
        if qualified.startswith("homeassistant"):
            return self.index.lookup(qualified)
        if depth > 5:
            return None
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            mod = self.modules.get(".".join(parts[:cut]))
            if mod is None:
                continue
            rest = parts[cut:]
            if not rest:
                return mod
            if len(rest) == 1:
                return self._module_name(mod, rest[0], depth + 1)
            return None
        return None

    def _module_name(self, mod: OurModule, name: str, depth: int = 0) -> Typed:
        if name in mod.classes:
            return mod.classes[name]
        if name in mod.imports:
            return self._qualified(mod.imports[name], depth)
        if name in mod.aliases and depth < 5:
            return self.type_of(mod.aliases[name], {}, mod, None)
        return None

    def type_of(
        self, expr: ast.expr | None, env: dict[str, Typed], mod: OurModule, cls: OurClass | None
    ) -> Typed:
        """Best-effort type of an expression in our code."""
        if expr is None:
            return None
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                return self.type_of(ast.parse(expr.value, mode="eval").body, env, mod, cls)
            except SyntaxError:
                return None
        if isinstance(expr, ast.Name):
            if expr.id in env:
                return env[expr.id]
            return self._module_name(mod, expr.id)
        if isinstance(expr, ast.Subscript):
            return self.type_of(expr.value, env, mod, cls)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            left = self.type_of(expr.left, env, mod, cls)
            return left if left is not None else self.type_of(expr.right, env, mod, cls)
        if isinstance(expr, ast.Await):
            return self.type_of(expr.value, env, mod, cls)
        if isinstance(expr, ast.Attribute):
            owner = self.type_of(expr.value, env, mod, cls)
            if isinstance(owner, OurClass | Instance):
                # Our narrower annotation (`entity_description: OurDescription`) wins.
                ours, annotation, where = self._our_attr(
                    owner.cls if isinstance(owner, Instance) else owner, expr.attr
                )
                if ours and annotation is not None:
                    return self.type_of(annotation, {}, where.module, where)
            return self._result(self.attribute(owner, expr.attr, mod)[0])
        if isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Name) and expr.func.id == "super" and cls is not None:
                return Instance(cls, only_bases=True)
            callee = self.type_of(expr.func, env, mod, cls)
            if isinstance(callee, OurClass):
                return Instance(callee)
            if isinstance(callee, Found):
                return self.index.instance_of(callee)
        return None

    def _result(self, found: Typed) -> Typed:
        """What reading an attribute gives: the object itself, or its annotated type."""
        if (
            isinstance(found, Found)
            and found.kind == "member"
            and found.member
            and not found.member.is_function
        ):
            return self.index.instance_of(found)
        return found

    def _our_attr(
        self, cls: OurClass, attr: str, seen: int = 0
    ) -> tuple[bool, ast.expr | None, OurClass]:
        if attr in cls.attrs:
            return True, cls.attrs[attr], cls
        if seen > 6:
            return False, None, cls
        for base in cls.bases:
            typed = self.type_of(base, {}, cls.module, None)
            if isinstance(typed, OurClass):
                hit = self._our_attr(typed, attr, seen + 1)
                if hit[0]:
                    return hit
        return False, None, cls

    def _ha_bases(self, cls: OurClass, seen: int = 0) -> Iterator[Found | None]:
        """The Home Assistant classes our class derives from (None: a base we cannot read)."""
        for base in cls.bases:
            typed = self.type_of(base, {}, cls.module, None)
            if isinstance(typed, OurClass) and seen < 6:
                yield from self._ha_bases(typed, seen + 1)
            elif isinstance(typed, Found):
                yield typed
            elif typed is None and ast.unparse(base).split("[")[0] not in TYPING_BASES:
                yield None

    def attribute(self, owner: Typed, attr: str, mod: OurModule) -> tuple[Typed, bool]:
        """Resolve owner.attr; the flag says whether it is a Home Assistant name to check."""
        if isinstance(owner, Found):
            return self.index.attribute(owner, attr), True
        if isinstance(owner, OurModule):
            return self._module_name(owner, attr), False
        if isinstance(owner, OurClass | Instance):
            cls = owner.cls if isinstance(owner, Instance) else owner
            ours, annotation, where = self._our_attr(cls, attr)
            unreadable = False
            for base in self._ha_bases(cls):
                if base is None or base.cls is None:
                    unreadable = True
                    continue
                hit = self.index.member(base.cls, attr)
                if hit is not None and hit.kind != "unverifiable":
                    return hit, True
                unreadable = unreadable or hit is not None
            if ours:
                return self.type_of(annotation, {}, where.module, where), False
            if unreadable or not any(True for _ in self._ha_bases(cls)):
                return None, False
            return None, True  # not ours, and no Home Assistant base has it
        return None, False

    # -- walking ---------------------------------------------------------------------------

    def run(self) -> list[Usage]:
        """Collect the usages of every module."""
        for mod in self.modules.values():
            self._imports(mod)
            flags = self.flags.setdefault(mod.name, {})
            for node in mod.tree.body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                    if (
                        isinstance(target, ast.Name)
                        and (hit := self._probe(node.value, {}, mod, None)) is not None
                    ):
                        flags[target.id] = hit
            self._block(mod.tree.body, {}, mod, None, fallback=False)
        return self.usages

    def _where(self, mod: OurModule, node: ast.AST) -> str:
        return f"{mod.path}:{getattr(node, 'lineno', 0)}"

    def _imports(self, mod: OurModule) -> None:
        for node in ast.walk(mod.tree):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("homeassistant")
                and not node.level
            ):
                for alias in node.names:
                    qualified = f"{node.module}.{alias.name}"
                    self._add(qualified, self._where(mod, node), self.index.lookup(qualified))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("homeassistant"):
                        self._add(alias.name, self._where(mod, node), self.index.lookup(alias.name))

    def _add(self, name: str, where: str, found: Found | None, **kwargs: object) -> None:
        if found is not None and found.kind == "unverifiable":
            return
        keyword_row = kwargs.get("keyword") is not None
        display = (found.qualified if found is not None and not keyword_row else name).removeprefix(
            "homeassistant."
        )
        usage = Usage(display, where, found, **kwargs)  # type: ignore[arg-type]
        if found is not None and not usage.deprecations:
            usage.deprecations = list(found.deprecations)
        self.usages.append(usage)

    def _env(
        self,
        func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        outer: dict[str, Typed],
        mod: OurModule,
        cls: OurClass | None,
    ) -> dict[str, Typed]:
        env = dict(outer)
        args = func.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.arg in {"self", "cls"} and cls is not None:
                env[arg.arg] = Instance(cls)
            elif arg.annotation is not None:
                env[arg.arg] = self.type_of(arg.annotation, env, mod, cls)
        if isinstance(func, ast.Lambda):
            return env
        for _ in range(2):  # assignments may build on each other
            for node in ast.walk(func):
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    env[node.target.id] = self.type_of(node.annotation, env, mod, cls)
                elif isinstance(node, ast.Assign | ast.NamedExpr):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name) and env.get(target.id) is None:
                            env[target.id] = self.type_of(node.value, env, mod, cls)
                elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                    env.setdefault(
                        node.optional_vars.id, self.type_of(node.context_expr, env, mod, cls)
                    )
        return env

    def _block(
        self,
        body: Iterable[ast.AST],
        env: dict[str, Typed],
        mod: OurModule,
        cls: OurClass | None,
        *,
        fallback: bool,
    ) -> None:
        for node in body:
            self._node(node, env, mod, cls, fallback=fallback)
            if (
                isinstance(node, ast.If)
                and node.body
                and isinstance(node.body[-1], ast.Return | ast.Raise)
                and self._probe(node.test, env, mod, cls) is True
            ):
                # `if HAS_NEW: return new()`: what follows is the older releases' path.
                fallback = True

    @staticmethod
    def _probed(node: ast.AST) -> tuple[ast.expr, str] | None:
        """The (object, name) a feature-detection expression asks about, if it is one."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"hasattr", "getattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and not node.args[1].value.startswith("__")
        ):
            return node.args[0], node.args[1].value
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
            and len(node.comparators) == 1
            and isinstance(node.ops[0], ast.In)
            and isinstance(call := node.comparators[0], ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "getattr"
            and len(call.args) >= 2
            and isinstance(call.args[1], ast.Constant)
            and call.args[1].value == "__annotations__"
        ):
            return call.args[0], node.left.value  # a TypedDict / dataclass field
        return None

    def _probe(
        self, test: ast.expr, env: dict[str, Typed], mod: OurModule, cls: OurClass | None
    ) -> bool | None:
        """Whether the newer release has what test detects (None: test detects nothing)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._probe(test.operand, env, mod, cls)
            return None if inner is None else not inner
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        ):
            # `getattr(x, "new", None) is None` asks whether the release lacks it.
            inner = self._probe(test.left, env, mod, cls)
            if inner is None:
                return None
            return inner if isinstance(test.ops[0], ast.IsNot | ast.NotEq) else not inner
        result: bool | None = None
        for sub in ast.walk(test):
            exists: bool | None = None
            if (probed := self._probed(sub)) is not None:
                found, check = self.attribute(
                    self.type_of(probed[0], env, mod, cls), probed[1], mod
                )
                if check:
                    exists = isinstance(found, Found)
            elif isinstance(sub, ast.Name) and sub.id in self.flags.get(mod.name, {}):
                exists = self.flags[mod.name][sub.id]
            if exists is not None:
                result = exists if result is None else result and exists
        return result

    def _name_of(self, owner: Typed, attr: str) -> str:
        if isinstance(owner, Found):
            return f"{owner.qualified}.{attr}"
        if isinstance(owner, Instance):
            return f"{owner.cls.name}.{attr}"
        if isinstance(owner, OurClass):
            return f"{owner.name}.{attr}"
        return attr

    def _node(
        self,
        node: ast.AST,
        env: dict[str, Typed],
        mod: OurModule,
        cls: OurClass | None,
        *,
        fallback: bool,
    ) -> None:
        if isinstance(node, ast.ClassDef):
            inner = mod.classes.get(node.name, cls) if cls is None else cls
            for base in node.bases:
                self._node(base, env, mod, cls, fallback=fallback)
            self._block(node.body, env, mod, inner, fallback=fallback)
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner_env = self._env(node, env, mod, cls)
            body: list[ast.AST] = [*node.body] if isinstance(node.body, list) else [node.body]
            self._block(body, inner_env, mod, cls, fallback=fallback)
            return
        if isinstance(node, ast.If | ast.IfExp):
            newer_has_it = self._probe(node.test, env, mod, cls)
            self._node(node.test, env, mod, cls, fallback=fallback)
            branch: list[ast.AST] = [*node.body] if isinstance(node.body, list) else [node.body]
            orelse: list[ast.AST] = (
                [*node.orelse] if isinstance(node.orelse, list) else [node.orelse]
            )
            # The branch the newer release does not take is only a fallback for older ones.
            self._block(branch, env, mod, cls, fallback=fallback or newer_has_it is False)
            self._block(orelse, env, mod, cls, fallback=fallback or newer_has_it is True)
            return
        if isinstance(node, ast.Try):
            self._block(node.body, env, mod, cls, fallback=fallback)
            for handler in node.handlers:
                caught = ast.unparse(handler.type) if handler.type else ""
                old_path = any(e in caught for e in ("AttributeError", "ImportError", "TypeError"))
                self._block(handler.body, env, mod, cls, fallback=fallback or old_path)
            self._block([*node.orelse, *node.finalbody], env, mod, cls, fallback=fallback)
            return
        if isinstance(node, ast.Attribute):
            if not fallback:
                # What the newer release runs of ours, for "reports only if we add X".
                self.attr_names.add(node.attr)
            owner = self.type_of(node.value, env, mod, cls)
            found, check = self.attribute(owner, node.attr, mod)
            if check and node.attr not in SKIPPED_NAMES:
                self._add(
                    self._name_of(owner, node.attr),
                    self._where(mod, node),
                    found if isinstance(found, Found) else None,
                    fallback=fallback,
                )
        if (probed := self._probed(node)) is not None:
            owner = self.type_of(probed[0], env, mod, cls)
            found, check = self.attribute(owner, probed[1], mod)
            if check:
                self._add(
                    self._name_of(owner, probed[1]),
                    self._where(mod, node),
                    found if isinstance(found, Found) else None,
                    probe=True,
                )
        elif isinstance(node, ast.Call):
            self._keywords(node, env, mod, cls, fallback=fallback)
        for child in ast.iter_child_nodes(node):
            self._node(child, env, mod, cls, fallback=fallback)

    def _keywords(
        self,
        call: ast.Call,
        env: dict[str, Typed],
        mod: OurModule,
        cls: OurClass | None,
        *,
        fallback: bool,
    ) -> None:
        callee = self.type_of(call.func, env, mod, cls)
        if not isinstance(callee, Found):
            return
        home = callee.cls.module if callee.cls is not None else callee.module
        passed = {keyword.arg for keyword in call.keywords}
        for deprecation in callee.deprecations:
            if deprecation.when_missing and deprecation.keyword not in passed and not call.args[:0]:
                self._add(
                    f"{callee.qualified}(without {deprecation.keyword}=)",
                    self._where(mod, call),
                    callee,
                    keyword=f"-{deprecation.keyword}",
                    fallback=fallback,
                    deprecations=[deprecation],
                )
        for keyword in call.keywords:
            if keyword.arg is None:
                continue
            deprecations = [
                d for d in callee.deprecations if d.keyword == keyword.arg and not d.when_missing
            ]
            if home is not None and keyword.arg in home.keyword_tables:
                deprecations.append(home.keyword_tables[keyword.arg])
            if deprecations:
                self._add(
                    f"{callee.qualified}({keyword.arg}=)",
                    self._where(mod, call),
                    callee,
                    keyword=keyword.arg,
                    fallback=fallback,
                    deprecations=deprecations,
                )


# --- verdicts -----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the report."""

    name: str
    where: list[str]
    status: str
    removal: str
    fatal: bool


def _month(version: str) -> tuple[int, int] | None:
    hit = VERSION_RE.search(version)
    return (int(hit[1]), int(hit[2])) if hit else None


def removal_due(removal: str | None, newest: str, months: int = 2) -> bool:
    """Whether removal falls within the next `months` monthly releases after newest (or before)."""
    if removal is None:
        return False
    due, base = _month(removal), _month(newest)
    if due is None or base is None:
        return False
    year, month = divmod(base[0] * 12 + base[1] - 1 + months, 12)
    return due <= (year, month + 1)


def verdicts(usages: list[Usage], attr_names: set[str], newest: str) -> list[Row]:
    """Turn usages into report rows, one per name and status."""
    rows: dict[tuple[str, str, str], Row] = {}
    for usage in usages:
        applicable = [
            d
            for d in usage.deprecations
            if (d.keyword is None or usage.keyword is not None)
            and (
                d.populated_by is None
                or {
                    f"add_{d.populated_by.removesuffix('s')}",
                    f"async_add_{d.populated_by.removesuffix('s')}",
                }
                & attr_names
            )
        ]
        name = usage.name
        conditional = [d for d in usage.deprecations if d.populated_by and d not in applicable]
        removal = ""
        fatal = False
        if usage.found is None:
            if usage.probe:
                status = "absent (probed; the code falls back)"
            elif usage.fallback:
                status = "absent (only on the fallback path)"
            else:
                status, fatal = "MISSING", True
        elif applicable:
            removal = applicable[0].breaks_in or "?"
            if usage.fallback:
                status = "deprecated, fallback path only"
            else:
                status = f"DEPRECATED ({applicable[0].how})"
                fatal = removal_due(applicable[0].breaks_in, newest)
            if any(d.populated_by for d in applicable):
                name += f" [with add_{applicable[0].populated_by.removesuffix('s') if applicable[0].populated_by else ''}]"
        elif usage.probe:
            status = "ok (probed)"
        elif conditional:
            status = f"ok (reports only with add_{conditional[0].populated_by.removesuffix('s') if conditional[0].populated_by else ''})"
        elif usage.fallback:
            status = "ok (fallback path)"
        else:
            status = "ok"
        key = (name, status, removal)
        row = rows.setdefault(key, Row(name, [], status, removal, fatal))
        if usage.where not in row.where:
            row.where.append(usage.where)
    order = {True: 0, False: 1}
    return sorted(
        rows.values(),
        key=lambda r: (
            order[r.fatal],
            not r.status.startswith(("DEP", "MISS", "dep", "abs")),
            r.name,
        ),
    )


def render(rows: list[Row], newest: str) -> str:
    """The table."""
    lines = []
    header = ("name", "where we use it", "status", f"removal (newest {newest})")
    table = [header] + [
        (
            r.name,
            ", ".join(r.where[:2]) + (f" (+{len(r.where) - 2})" if len(r.where) > 2 else ""),
            r.status,
            r.removal or "-",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for i, row in enumerate(table):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check(
    tree: Tree, package: Path, root: Path, newest: str | None = None
) -> tuple[list[Row], str]:
    """Check the integration in package (below root) against tree."""
    newest = newest or tree.version() or "0.0"
    modules = _our_modules(package, root)
    collector = Collector(Index(tree), modules, package.name)
    usages = collector.run()
    return verdicts(usages, collector.attr_names, newest), newest


# --- the newest wheel ---------------------------------------------------------------------


def download_newest(cache: Path) -> Path | None:
    """Download (or reuse) the newest homeassistant wheel; None when the index cannot be reached."""
    cache.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "homeassistant", "--no-deps",
        "--ignore-requires-python", "--only-binary=:all:", "--disable-pip-version-check",
        "-d", str(cache),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    names = re.findall(r"homeassistant-([\w.]+)-py3-none-any\.whl", done.stdout)
    if not names:
        return None
    return cache / f"homeassistant-{names[-1]}-py3-none-any.whl"


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of scripts/compat."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tree",
        type=Path,
        help="a Home Assistant source tree or wheel instead of the newest wheel",
    )
    parser.add_argument("--cache", type=Path, default=Path(".cache/compat"))
    parser.add_argument("--package", type=Path, default=Path("custom_components/piorchestrator"))
    args = parser.parse_args(argv)
    source: Path | None = args.tree
    if source is None:
        source = download_newest(args.cache)
        if source is None:
            _say(
                "compat: the package index cannot be reached; nothing was checked (not a failure)."
            )
            return 0
    tree: Tree = WheelTree(source) if source.suffix == ".whl" else DirTree(source)
    package = args.package.resolve()
    rows, newest = check(tree, package, package.parent.parent)
    _say(
        f"compat: {package.name} against homeassistant {newest} ({source.name}), read without importing it"
    )
    _say(render(rows, newest))
    fatal = [r for r in rows if r.fatal]
    deprecated = [r for r in rows if r.status.startswith("DEPRECATED")]
    _say(
        f"compat: {len(rows)} names, {sum(r.status == 'MISSING' for r in rows)} missing, "
        f"{len(deprecated)} deprecated, {len(fatal)} due within two releases of {newest}"
    )
    return 1 if fatal else 0


if __name__ == "__main__":
    sys.exit(main())
