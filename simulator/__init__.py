"""A standalone PiOrchestrator V1 simulator for tests and demos.

It is written from API.md alone and never imports the integration, so the client and the
simulator each check the other against the contract.
"""

from simulator.config import SimulatorConfig
from simulator.server import Simulator
from simulator.state import AllowlistEntry, Board, BoardHardware, Door, Session, SimState

__all__ = [
    "AllowlistEntry",
    "Board",
    "BoardHardware",
    "Door",
    "Session",
    "SimState",
    "Simulator",
    "SimulatorConfig",
]
