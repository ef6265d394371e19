"""Async client for the PiOrchestrator V1 API.

Knows nothing of Home Assistant: it could be published on its own.
"""
