"""Async client for the PiOrchestrator V1 API.

Knows nothing of Home Assistant: it could be published on its own.
"""

from .models import BoardAction, SessionAction

__all__ = ["BoardAction", "SessionAction"]
