"""The real-hass check's reading of hass's log and of an entry's state changes.

Log lines are shaped like Home Assistant's own (2025.4 and 2026.x `report_usage`,
`DeprecatedConstant` and the update-listener report of 2026.11).
"""

from __future__ import annotations

from tools.hass_log import EntryStates, broken, deprecations, deprecations_about_us, records

LISTENER_REPORT = (
    "2026-12-06 23:01:02.345 WARNING (MainThread) [homeassistant.helpers.frame] Detected that "
    "custom integration 'piorchestrator' has an update listener and should use it for "
    "scheduling a reload at custom_components/piorchestrator/config_flow.py, line 260: "
    "return self.async_update_reload_and_abort(. This will stop working in Home Assistant "
    "2026.12.0, please report it to the author of the 'piorchestrator' custom integration"
)
OTHER_REPORT = (
    "2026-12-06 23:01:03.000 WARNING (MainThread) [homeassistant.const] UNIT_X was used from "
    "hue, this is a deprecated constant which will be removed in HA Core 2027.1. Use Y "
    "instead, please report it to the author of the 'hue' custom integration"
)
UNTESTED = (
    "2026-12-06 23:00:59.000 WARNING (SyncWorker_0) [homeassistant.loader] We found a custom "
    "integration piorchestrator which has not been tested by Home Assistant. This component "
    "might cause stability problems, be sure to disable it if you experience issues with "
    "Home Assistant"
)
SETUP_ERROR = (
    "2026-12-06 23:01:04.000 ERROR (MainThread) [homeassistant.config_entries] Error setting "
    "up entry 127.0.0.1 for piorchestrator"
)


def _log(*lines: str) -> str:
    return "\n".join(lines)


def test_a_report_about_us_is_found_and_one_about_others_is_not_ours() -> None:
    log = _log(UNTESTED, LISTENER_REPORT, OTHER_REPORT)

    assert deprecations_about_us(log) == [LISTENER_REPORT]
    assert deprecations(log) == [LISTENER_REPORT, OTHER_REPORT]


def test_the_untested_custom_integration_notice_is_no_deprecation() -> None:
    assert deprecations_about_us(UNTESTED) == []


def test_a_report_whose_name_is_on_a_continuation_line_is_found() -> None:
    # The frame helper may print the offending code on its own line.
    record_start = (
        "2026-12-06 23:01:02.345 WARNING (MainThread) [homeassistant.helpers.frame] Detected "
        "code that uses a deprecated method. This will stop working in 2027.8"
    )
    log = _log(record_start, '  File "custom_components/piorchestrator/services.py"', UNTESTED)

    assert deprecations_about_us(log) == [
        f'{record_start}\n  File "custom_components/piorchestrator/services.py"'
    ]


def test_matching_ignores_case() -> None:
    line = (
        "2026-12-06 23:01:02.345 WARNING (MainThread) [custom_components.piorchestrator] "
        "DEPRECATED option used"
    )

    assert deprecations_about_us(line) == [line]


def test_records_join_tracebacks_and_drop_blank_lines() -> None:
    log = f"{SETUP_ERROR}\nTraceback (most recent call last):\n  boom\n\n{UNTESTED}\n"

    assert records(log) == [
        f"{SETUP_ERROR}\nTraceback (most recent call last):\n  boom\n",
        UNTESTED,
    ]


def test_a_failed_setup_and_a_missing_module_are_broken() -> None:
    missing = (
        "2026-12-06 23:01:05.000 ERROR (MainThread) [homeassistant.config_entries] Error "
        "occurred loading flow for integration piorchestrator: No module named 'pydantic'"
    )
    log = _log(UNTESTED, SETUP_ERROR, missing, OTHER_REPORT)

    assert broken(log) == [SETUP_ERROR, missing]


def test_one_reload_counts_one_setup() -> None:
    states = EntryStates()
    for state in ("loaded", "loaded"):
        states.add(state)
    mark = states.mark()
    for state in ("not_loaded", "setup_in_progress", "loaded"):
        states.add(state)

    assert states.setups_since(mark) == 1
    assert list(states.since(mark)) == ["not_loaded", "setup_in_progress", "loaded"]
    assert states.current == "loaded"


def test_a_double_reload_counts_two_setups_and_nothing_before_the_mark() -> None:
    states = EntryStates()
    for state in ("setup_in_progress", "loaded"):
        states.add(state)
    mark = states.mark()
    for state in ("not_loaded", "setup_in_progress", "loaded") * 2:
        states.add(state)

    assert states.setups_since(mark) == 2


def test_no_state_announced_yet() -> None:
    states = EntryStates()

    assert states.current is None
    assert states.setups_since(states.mark()) == 0
