"""Benchmarks of the PiOrchestrator integration: `python -m bench` or `./scripts/bench`."""
