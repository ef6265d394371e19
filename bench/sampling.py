"""Sampling profiles of a running `hass` process, with py-spy when it is installed.

The fleet runs Home Assistant as its own process, where an in-process profiler
such as pyinstrument cannot reach; py-spy samples it from outside. It is optional:
`./scripts/bench --profile` uses `.bench/tools/bin/py-spy` when present
(`.venv/bin/pip install --target .bench/tools py-spy==0.4.0`) and says so when not.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
import signal

_PY_SPY: Path | None = None
SAMPLES_PER_SECOND = 250
TOP = 25


def enable(tools: Path) -> bool:
    """Sample from now on if py-spy is installed under `tools`; whether it is."""
    global _PY_SPY  # noqa: PLW0603  # one switch for the whole run, set by the command line
    candidate = tools / "bin" / "py-spy"
    _PY_SPY = candidate if candidate.is_file() else None
    return _PY_SPY is not None


@contextlib.asynccontextmanager
async def sampled(pid: int, out: Path) -> AsyncIterator[None]:
    """Sample `pid` while the block runs; write the stacks and a summary beside `out`."""
    if _PY_SPY is None:
        yield
        return
    raw = out.with_suffix(".folded")
    process = await asyncio.create_subprocess_exec(
        str(_PY_SPY),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(SAMPLES_PER_SECOND),
        "--format",
        "raw",
        "--output",
        str(raw),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=out.with_suffix(".log").open("w"),
    )
    try:
        yield
    finally:
        if process.returncode is None:
            # py-spy writes its output when interrupted, as on Ctrl-C.
            process.send_signal(signal.SIGINT)
        await process.wait()
    if raw.exists():
        out.write_text(summary(raw.read_text()))


def summary(folded: str) -> str:
    """The busiest functions of collapsed stacks: own samples, and samples beneath."""
    own: Counter[str] = Counter()
    beneath: Counter[str] = Counter()
    total = 0
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_short(frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            beneath[frame] += count
    lines = [f"{total} samples at {SAMPLES_PER_SECOND}/s", "", "Own samples:"]
    lines += [f"{100 * n / total:6.1f} %  {frame}" for frame, n in own.most_common(TOP)]
    lines += ["", "Samples beneath (inclusive):"]
    lines += [f"{100 * n / total:6.1f} %  {frame}" for frame, n in beneath.most_common(TOP * 2)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """`function (path/to/module.py:line)` without the site-packages prefix or line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "custom_components/", "lib/python3.13/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"
