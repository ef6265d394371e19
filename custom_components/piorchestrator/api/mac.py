"""MAC address normalisation: the Pi accepts only `AA:BB:CC:DD:EE:FF`."""

from __future__ import annotations

import re

from .errors import ErrorCode, PiOrchestratorValidationError

_SEPARATED = re.compile(r"^[0-9A-Fa-f]{2}([:\-.]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
_DOTTED = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")


def normalize_mac(value: str) -> str:
    """Return `value` as an upper-case, colon-separated MAC address.

    Accepts colons, dashes, dots (`aabb.ccdd.eeff` too) or no separator, in any
    case, with surrounding blanks. Raises `PiOrchestratorValidationError` for
    anything else, before a request could carry it to the Pi.
    """
    candidate = value.strip()
    if not (_SEPARATED.match(candidate) or _DOTTED.match(candidate)):
        raise PiOrchestratorValidationError(
            f"{value!r} is not a MAC address; expected six hex pairs such as AA:BB:CC:DD:EE:FF",
            code=ErrorCode.VALIDATION_FAILED,
        )
    digits = re.sub(r"[:\-.]", "", candidate).upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
