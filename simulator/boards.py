"""The simulated hardware: ESP32-CAM boards waiting on the onboarding network."""

from __future__ import annotations

from collections.abc import Iterable
from random import Random

from simulator.state import BoardHardware

# Espressif OUIs, so generated MACs look like what a technician sees on a real board.
_ESPRESSIF_OUIS = ("24:0A:C4", "30:AE:A4", "A4:CF:12", "CC:50:E3", "08:3A:F2", "94:B9:7E")
_FIRMWARE = ("1.2.0", "1.2.3", "1.3.0", "1.3.1")
_FIRST_HOST = 10


def random_mac(rng: Random, taken: Iterable[str]) -> str:
    """Draw an Espressif-looking MAC not in `taken`."""
    used = set(taken)
    while True:
        tail = ":".join(f"{rng.randrange(256):02X}" for _ in range(3))
        mac = f"{rng.choice(_ESPRESSIF_OUIS)}:{tail}"
        if mac not in used:
            return mac


def make_board(rng: Random, mac: str, index: int, *, fail_once: bool = False) -> BoardHardware:
    """Create one board; `index` picks its onboarding-network address."""
    host = _FIRST_HOST + index
    return BoardHardware(
        mac=mac,
        ip=f"10.42.{host // 250}.{host % 250 + 2}",
        rssi=-rng.randint(38, 82),
        firmware_version=rng.choice(_FIRMWARE),
        fail_once=fail_once,
    )


def add_boards(
    boards: dict[str, BoardHardware],
    rng: Random,
    *,
    count: int = 0,
    macs: Iterable[str] = (),
    fail_once: Iterable[str] = (),
) -> list[BoardHardware]:
    """Add named boards, then `count` random ones; return those actually added."""
    failing = set(fail_once)
    added: list[BoardHardware] = []
    for mac in macs:
        if mac in boards:
            if mac in failing:
                boards[mac].fail_once = True
            continue
        board = make_board(rng, mac, len(boards), fail_once=mac in failing)
        boards[mac] = board
        added.append(board)
    for _ in range(count):
        mac = random_mac(rng, boards)
        board = make_board(rng, mac, len(boards))
        boards[mac] = board
        added.append(board)
    return added


def initial_boards(
    rng: Random, *, count: int, named: Iterable[str], fail_once: Iterable[str]
) -> dict[str, BoardHardware]:
    """Build the starting pool: named MACs first, then random boards up to `count`.

    Named MACs come first so that a demo's --allowlist matches boards that really exist.
    """
    boards: dict[str, BoardHardware] = {}
    names = list(dict.fromkeys([*named, *fail_once]))
    add_boards(boards, rng, macs=names, fail_once=fail_once)
    add_boards(boards, rng, count=max(0, count - len(boards)))
    return boards
