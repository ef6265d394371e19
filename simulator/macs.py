"""MAC address validation: the wire format is AA:BB:CC:DD:EE:FF."""

from __future__ import annotations

import re
from urllib.parse import unquote

_MAC = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")


class InvalidMacError(ValueError):
    """Raised for anything that is not a colon-separated, six-octet hex MAC."""


def normalize_mac(value: object) -> str:
    """Return the canonical upper-case form, or raise InvalidMacError.

    Path segments may still carry `%3A` when a client double-encodes; decoding once more
    is harmless for a valid MAC.
    """
    if not isinstance(value, str):
        raise InvalidMacError(f"MAC address must be a string, got {type(value).__name__}")
    candidate = unquote(value).strip().upper()
    if not _MAC.match(candidate):
        raise InvalidMacError(f"invalid MAC address {value!r}: expected AA:BB:CC:DD:EE:FF")
    return candidate


def is_mac(value: object) -> bool:
    """Tell whether value is a valid MAC in any letter case."""
    try:
        normalize_mac(value)
    except InvalidMacError:
        return False
    return True
