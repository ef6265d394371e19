"""Command line: `python -m simulator --help`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import fields
import logging
import os
from pathlib import Path
import signal
import sys
from typing import Final

from simulator.config import FRAMINGS, VOCABULARIES, SimulatorConfig
from simulator.faults import CONTROL_HEADER
from simulator.macs import InvalidMacError, normalize_mac
from simulator.persistence import StateFileError
from simulator.server import Simulator

_LOGGER = logging.getLogger("simulator")
_FIELDS: Final = tuple(field.name for field in fields(SimulatorConfig))


def _mac_list(text: str) -> tuple[str, ...]:
    try:
        return tuple(normalize_mac(part) for part in text.split(",") if part.strip())
    except InvalidMacError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be within [0, 1]")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Describe every flag."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description=(
            "PiOrchestrator V1 simulator: the Raspberry Pi backend that provisions ESP32-CAM "
            "boards onto WiFi, for tests and demos. Fault-injection routes live under /_sim/."
        ),
        epilog=(
            "The API key may also come from the PIORCHESTRATOR_API_KEY (or API_KEY) "
            "environment variable, which keeps it out of the process list. "
            "PIORCHESTRATOR_DEV_MODE=true is the same as --dev-mode. "
            "The /_sim/ routes need the X-Sim-Control header printed at start "
            "(fixed with PIORCHESTRATOR_SIM_CONTROL_TOKEN)."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8082,
        help="port to bind; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument("--api-key", metavar="KEY", help="API key protected routes require")
    parser.add_argument(
        "--dev-mode",
        action="store_true",
        help="bypass authentication: any or no key is accepted, as on a Pi in dev mode",
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="persist sessions, devices, boards and the allowlist here (atomic writes); "
        "without it state lives in memory only",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="seed for deterministic behaviour")
    parser.add_argument(
        "--boards",
        type=_non_negative_int,
        default=5,
        metavar="N",
        help="ESP32-CAM boards waiting on the onboarding network (default: %(default)s); "
        "MACs named by --allowlist/--fail-once are among them",
    )
    parser.add_argument(
        "--fail-rate",
        type=_probability,
        default=0.0,
        metavar="X",
        help="probability a board fails a provisioning or verification step (default: %(default)s)",
    )
    parser.add_argument(
        "--speed",
        type=_positive,
        default=1.0,
        metavar="F",
        help="time compression for every timer: discovery, steps, timeouts, monitor interval, "
        "keepalives, rate-limit window (default: %(default)s)",
    )
    parser.add_argument(
        "--sse-vocabulary",
        choices=VOCABULARIES,
        default="backend",
        help="SSE event vocabulary, API.md §6 A (backend) or B (dashboard) (default: %(default)s)",
    )
    parser.add_argument(
        "--sse-framing",
        choices=FRAMINGS,
        default="auto",
        help="whether SSE frames carry an event: line; auto: A names them, B does not, "
        "as API.md §6 says each is served (default: %(default)s)",
    )
    parser.add_argument(
        "--legacy-only",
        action="store_true",
        help="an older Pi without the V1 API: only the legacy /api routes answer",
    )
    parser.add_argument(
        "--rate-limit",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="requests per minute per client before RATE_LIMITED 429; 0 = off (default: %(default)s)",
    )
    parser.add_argument(
        "--allowlist",
        type=_mac_list,
        default=(),
        metavar="MAC[,MAC...]",
        help="pre-seeded allowlist entries (those boards are put on the onboarding network)",
    )
    parser.add_argument(
        "--fail-once",
        type=_mac_list,
        default=(),
        metavar="MAC[,MAC...]",
        help="boards that fail their first provisioning attempt and succeed on retry",
    )
    parser.add_argument(
        "--session-timeout",
        type=_positive,
        default=1800.0,
        metavar="SECONDS",
        help="session lifetime before it expires, in simulated seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level on stderr (default: %(default)s)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Turn parsed flags (and the environment fallbacks) into a config."""
    api_key = args.api_key or os.environ.get("PIORCHESTRATOR_API_KEY") or os.environ.get("API_KEY")
    control_token = os.environ.get("PIORCHESTRATOR_SIM_CONTROL_TOKEN", "").strip()
    dev_env = os.environ.get("PIORCHESTRATOR_DEV_MODE", "").strip().lower() in ("1", "true", "yes")
    # Each flag is stored under the name of the config field it sets.
    flags = {name: getattr(args, name) for name in _FIELDS if hasattr(args, name)}
    return SimulatorConfig(
        **{
            **flags,
            "api_key": api_key or None,
            "dev_mode": args.dev_mode or dev_env,
            "control_token": control_token or None,
        }
    )


async def serve(config: SimulatorConfig) -> int:
    """Run until SIGINT/SIGTERM, then shut down cleanly."""
    simulator = Simulator(config)
    await simulator.start()
    # Tests read this line to learn the port; it must be flushed at once.
    sys.stdout.write(f"PiOrchestrator simulator listening on {simulator.url}\n")
    # The fault routes answer only this header: a web page cannot read a terminal.
    sys.stdout.write(f"Fault injection under /_sim/ needs the header: {CONTROL_HEADER}: ")
    sys.stdout.write(f"{simulator.control_token}\n")
    sys.stdout.flush()
    if config.api_key is None and not config.dev_mode:
        _LOGGER.warning("no API key configured: every protected route will answer 401")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
        await simulator.stop()
    _LOGGER.info("simulator stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse, configure logging, serve."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = config_from_args(args)
    except ValueError as err:
        build_parser().error(str(err))
    try:
        return asyncio.run(serve(config))
    except StateFileError as err:
        _LOGGER.error("%s", err)  # noqa: TRY400 - the message says it all
        return 2
    except OSError as err:
        _LOGGER.error("cannot start: %s", err)  # noqa: TRY400
        return 1


if __name__ == "__main__":
    sys.exit(main())
