"""scripts/compat's logic, on a fake Home Assistant release and a fake integration.

The fake release (tests/compat/fixtures/ha) is 2026.11.0: the checker must fail on a
name that is gone and on a removal due in 2026.12 or 2027.1, and only report the rest.
"""

from __future__ import annotations

from pathlib import Path
import shutil

import pytest

from tools import ha_compat
from tools.ha_compat import DirTree, Row, check, removal_due

FIXTURES = Path(__file__).parent / "fixtures"
HA = FIXTURES / "ha"
PACKAGE = FIXTURES / "integration" / "custom_components" / "fakeint"


def _rows(tree: Path = HA) -> dict[str, Row]:
    rows, newest = check(DirTree(tree), PACKAGE, PACKAGE.parent.parent)
    assert newest == "2026.11.0"
    by_name: dict[str, Row] = {}
    for row in rows:
        by_name.setdefault(row.name, row)
    return by_name


def test_a_name_that_still_exists_is_ok() -> None:
    rows = _rows()
    assert rows["const.CONF_NEW"].status == "ok"
    assert rows["helpers.registry.Registry.async_get_thing"].status.startswith("ok")
    assert not rows["const.CONF_NEW"].fatal


def test_a_missing_import_and_a_missing_attribute_of_hass_fail() -> None:
    rows = _rows()
    gone = rows["helpers.registry.Gone"]
    assert (gone.status, gone.fatal, gone.where) == ("MISSING", True, ["__init__.py:6"])
    assert rows["core.HomeAssistant.async_remove_everything"].status == "MISSING"


def test_deprecations_carry_the_release_that_removes_them() -> None:
    rows = _rows()
    constant = rows["const.CONF_OLD"]
    assert constant.status == "DEPRECATED (DeprecatedConstant)"
    assert (constant.removal, constant.fatal) == ("2027.6", False)
    # Reported through a module helper of the release, on a property of a returned entry.
    entries = rows["helpers.registry.Entry.entries"]
    assert (entries.removal, entries.fatal) == ("2027.10.0", False)
    later = rows["helpers.registry.Registry.async_get_later"]
    assert (later.removal, later.fatal) == ("2027.8.0", False)


def test_a_removal_in_the_next_two_releases_fails() -> None:
    rows = _rows()
    old = rows["helpers.registry.Registry.async_get_old"]
    assert (old.status, old.removal, old.fatal) == ("DEPRECATED (report_usage)", "2026.12.0", True)


def test_a_keyword_deprecation_applies_only_to_calls_passing_it() -> None:
    rows = _rows()
    assert rows["helpers.registry.Registry.async_lookup"].status == "ok"
    legacy = rows["helpers.registry.Registry.async_lookup(legacy=)"]
    assert (legacy.removal, legacy.fatal, legacy.where) == ("2027.1.0", True, ["__init__.py:22"])


def test_feature_detection_is_not_a_failure() -> None:
    rows, _ = check(DirTree(HA), PACKAGE, PACKAGE.parent.parent)
    probed = [r for r in rows if r.name == "helpers.registry.Registry.async_get_newer"]
    assert {r.status for r in probed} == {
        "absent (probed; the code falls back)",
        "absent (only on the fallback path)",
    }
    vanished = next(r for r in rows if r.name.endswith("async_get_vanished"))
    assert (vanished.status, vanished.fatal) == ("absent (only on the fallback path)", False)


def test_a_report_that_depends_on_what_we_add_counts_only_where_we_add_it(tmp_path: Path) -> None:
    # `if not HAS_THING: thing.add_listener(...)` never runs on the newer release.
    finish = _rows()["helpers.registry.Registry.async_finish"]
    assert (finish.status, finish.fatal) == ("ok (reports only with add_listener)", False)

    package = tmp_path / "custom_components" / "fakeint"
    shutil.copytree(PACKAGE, package)
    init = package / "__init__.py"
    init.write_text(init.read_text().replace("    if not HAS_THING:\n", "    if HAS_THING:\n"))
    rows, _ = check(DirTree(HA), package, tmp_path)
    finish = next(r for r in rows if r.name.startswith("helpers.registry.Registry.async_finish"))
    assert finish.name.endswith("[with add_listener]")
    assert (finish.removal, finish.fatal) == ("2026.12.0", True)


@pytest.mark.parametrize(
    ("removal", "due"),
    [
        ("2026.11.0", True),
        ("2026.12.0", True),
        ("2027.1", True),
        ("2027.2.0", False),
        ("2028.1.0", False),
        (None, False),
    ],
)
def test_removal_due_counts_monthly_releases_across_the_year(
    removal: str | None, due: bool
) -> None:
    assert removal_due(removal, "2026.11.0") is due


def test_newer_syntax_is_read_without_importing(tmp_path: Path) -> None:
    tree = tmp_path / "ha"
    shutil.copytree(HA, tree)
    registry = tree / "homeassistant" / "helpers" / "registry.py"
    # Python 3.14's unparenthesised `except`: rewritten, then parsed as usual.
    registry.write_text(
        registry.read_text()
        + "\n\ndef _guarded() -> None:\n    try:\n        pass\n    except ValueError, TypeError:\n        pass\n"
    )
    # Syntax this Python cannot parse at all (a template string): read as text.
    const = tree / "homeassistant" / "const.py"
    const.write_text(const.read_text() + '\n\ngreeting = t"hello {CONF_NEW}"\n')
    rows = _rows(tree)
    assert rows["helpers.registry.Registry.async_get_old"].fatal
    assert rows["const.CONF_NEW"].status == "ok"
    assert rows["const.CONF_OLD"].removal == "2027.6"
    assert rows["helpers.registry.Gone"].status == "MISSING"


def test_main_fails_on_the_fake_release_and_prints_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert ha_compat.main(["--tree", str(HA), "--package", str(PACKAGE)]) == 1
    out = capsys.readouterr().out
    assert "helpers.registry.Gone" in out
    assert "2 missing" in out


def test_an_unreachable_index_is_reported_and_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(ha_compat, "download_newest", lambda cache: None)
    assert ha_compat.main(["--cache", str(tmp_path), "--package", str(PACKAGE)]) == 0
    assert "cannot be reached" in capsys.readouterr().out
