"""The demo: a real Home Assistant with the integration, next to the simulated Pi.

`python -m demo` (what `scripts/demo` runs) prepares a Home Assistant
configuration under `.demo/`, starts the simulator and `hass`, completes
onboarding and adds the integration through Home Assistant's own APIs, installs
the blueprints and the example dashboard, then keeps both running until Ctrl-C.
`python -m demo e2e` (what `scripts/e2e` runs) does the same, drives the
dashboard in headless Chromium, and stops everything.
"""
