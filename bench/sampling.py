"""Sampling profiles of a running `hass` process, with py-spy when it is installed.

The fleet runs Home Assistant as its own process, where an in-process profiler
such as pyinstrument cannot reach; py-spy samples it from outside. It is optional:
`./scripts/bench --profile` uses `.bench/tools/bin/py-spy` when present
(`.venv/bin/pip install --target .bench/tools py-spy==0.4.1`) and says so when not.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import signal
from typing import Any

_PY_SPY: Path | None = None
_PROFILING = False
SAMPLES_PER_SECOND = 250
TOP = 25
FIGURES_TOP = 8
"""Functions with the most samples beneath them kept in the results, per thread and phase."""
_PLUMBING = (
    "(asyncio/",
    "(threading.py)",
    "(concurrent/",
    "(homeassistant/runner.py)",
    "(homeassistant/__main__.py)",
    "(hass)",
    "(homeassistant/components/recorder/core.py)",
    "(piorchestrator/supervisor.py)",
)
"""Frames every sample passes through: the loop, threads, the recorder's queue, the supervisor."""
GRACE_S = 3.0
"""Seconds py-spy may take to end on its own after the block."""


def enable(tools: Path) -> bool:
    """Profile from now on; sample if py-spy is installed under `tools`, and say whether."""
    global _PY_SPY, _PROFILING  # noqa: PLW0603  # one switch for the run, from the command line
    _PROFILING = True
    candidate = tools / "bin" / "py-spy"
    _PY_SPY = candidate if candidate.is_file() else None
    return _PY_SPY is not None


def profiling() -> bool:
    """Whether the run was asked to profile (`--profile`)."""
    return _PROFILING


@dataclass
class Sampled:
    """What a sampled block found; empty when py-spy is not installed."""

    samples: int = 0
    loop_samples: int = 0
    loop_top: list[tuple[str, float]] = field(default_factory=list)
    """The event loop's thread: functions with the most samples beneath them, and their share."""
    other_top: list[tuple[str, float]] = field(default_factory=list)
    loop_own: list[tuple[str, float]] = field(default_factory=list)
    """The event loop's thread: functions with the most samples of their own.

    A garbage collection is charged to whatever allocated when it started: one
    function far ahead here, with nothing beneath it, is usually a collection.
    """

    def figures(self) -> dict[str, Any]:
        """For the results file: seconds of CPU in the loop's thread and in the others."""
        return {
            "loop_cpu_s": self.loop_samples / SAMPLES_PER_SECOND,
            "other_cpu_s": (self.samples - self.loop_samples) / SAMPLES_PER_SECOND,
            "loop_top": self.loop_top[:FIGURES_TOP],
            "other_top": self.other_top[:FIGURES_TOP],
            "loop_own": self.loop_own[:FIGURES_TOP],
        }


@contextlib.asynccontextmanager
async def sampled(pid: int, out: Path, seconds: float) -> AsyncIterator[Sampled]:
    """Sample `pid` for `seconds` or until the block ends; write a summary to `out`.

    py-spy stopped by a signal sometimes panics before writing its stacks; one that
    stops at the end of its own duration does not, so give the block's expected length.
    """
    found = Sampled()
    if _PY_SPY is None:
        yield found
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
        "--threads",
        "--duration",
        str(max(1, round(seconds))),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=out.with_suffix(".log").open("w"),
    )
    try:
        yield found
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), GRACE_S)
        if process.returncode is None:
            # py-spy writes its output when interrupted, as on Ctrl-C.
            process.send_signal(signal.SIGINT)
            await process.wait()
    if raw.exists():
        text, result = summary(raw.read_text(errors="replace"))
        out.write_text(text)
        found.__dict__.update(result.__dict__)


def summary(folded: str) -> tuple[str, Sampled]:
    """The busiest functions of collapsed stacks, the event loop's thread apart.

    The event loop's thread is what a late state waits for; the recorder's thread
    and the executor are not on the loop, but hold the interpreter lock while
    they run Python.
    """
    threads: dict[str, list[tuple[list[str], int]]] = {}
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        thread, *frames = stack.split(";")
        threads.setdefault(thread, []).append(([_short(f) for f in frames], int(count_text)))
    total = sum(count for stacks in threads.values() for _, count in stacks)
    loop = [
        stacks
        for stacks in threads.values()
        if any("_run_once (asyncio/base_events.py)" in frames for frames, _ in stacks)
    ]
    loop_stacks = max(loop, key=lambda s: sum(c for _, c in s), default=[])
    others = [
        (frames, count)
        for stacks in threads.values()
        if stacks is not loop_stacks
        for frames, count in stacks
    ]
    lines = [f"{total} samples at {SAMPLES_PER_SECOND}/s in all threads", ""]
    loop_lines, loop_top, loop_own = _busiest("Event loop's thread", loop_stacks, total)
    other_lines, other_top, _ = _busiest("Every other thread (recorder, executor)", others, total)
    found = Sampled(
        samples=total,
        loop_samples=sum(count for _, count in loop_stacks),
        loop_top=loop_top,
        other_top=other_top,
        loop_own=loop_own,
    )
    return "\n".join([*lines, *loop_lines, *other_lines]) + "\n", found


def _busiest(
    title: str, stacks: list[tuple[list[str], int]], total: int
) -> tuple[list[str], list[tuple[str, float]], list[tuple[str, float]]]:
    own: Counter[str] = Counter()
    beneath: Counter[str] = Counter()
    samples = 0
    for frames, count in stacks:
        samples += count
        if frames:
            own[frames[-1]] += count
        for frame in set(frames):
            beneath[frame] += count
    share = 100 * samples / total if total else 0.0
    lines = [f"## {title}: {samples} samples, {share:.1f} % of all", "", "Own samples:"]
    lines += [f"{100 * n / samples:6.1f} %  {frame}" for frame, n in own.most_common(TOP)]
    lines += ["", "Samples beneath (inclusive):"]
    lines += [f"{100 * n / samples:6.1f} %  {frame}" for frame, n in beneath.most_common(TOP * 2)]
    telling = [
        (frame, n / samples)
        for frame, n in beneath.most_common()
        if not any(plumbing in frame for plumbing in _PLUMBING)
    ]
    own_shares = [(frame, n / samples) for frame, n in own.most_common(FIGURES_TOP)]
    return [*lines, ""], telling, own_shares


def _short(frame: str) -> str:
    """`function (path/to/module.py:line)` without the site-packages prefix or line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "custom_components/", "lib/python3.13/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"
