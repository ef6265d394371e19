"""MAC normalisation: every spelling of a MAC becomes the canonical one, everything else is
refused with the client's validation error."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.errors import PiOrchestratorValidationError
from custom_components.piorchestrator.api.mac import normalize_mac
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import MAC_LIKE

pytestmark = pytest.mark.timeout(300)

CANONICAL = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")
FUZZ = settings(max_examples=examples(500, 50_000), derandomize=DETERMINISTIC, deadline=1000)

hex_pairs = st.lists(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=2, max_size=2), min_size=6, max_size=6
)


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A MAC written one of the ways people write them, and its canonical form."""
    pairs = draw(hex_pairs)
    canonical = ":".join(pair.upper() for pair in pairs)
    digits = "".join(pairs)
    style = draw(st.sampled_from(("colon", "dash", "dot-pairs", "none", "cisco")))
    if style == "cisco":
        text = ".".join(digits[i : i + 4] for i in range(0, 12, 4))
    else:
        separator = {"colon": ":", "dash": "-", "dot-pairs": ".", "none": ""}[style]
        text = separator.join(pairs)
    blank = draw(st.sampled_from(("", " ", "\t", "\n ")))
    return f"{blank}{text}{blank}", canonical


@FUZZ
@given(spelling=spellings())
def test_every_usual_spelling_becomes_the_canonical_mac(spelling: tuple[str, str]) -> None:
    COLLECTOR.count_example("mac: spellings")
    text, canonical = spelling
    assert normalize_mac(text) == canonical


@FUZZ
@given(value=st.one_of(st.text(max_size=30), st.sampled_from(MAC_LIKE)))
def test_anything_else_is_refused_or_canonical(value: str) -> None:
    COLLECTOR.count_example("mac: any text")
    refusal: PiOrchestratorValidationError | None = None
    result = ""
    try:
        result = normalize_mac(value)
    except PiOrchestratorValidationError as err:
        refusal = err
    if refusal is not None:
        assert refusal.code == "VALIDATION_FAILED"
        return
    assert CANONICAL.match(result)
    assert normalize_mac(result) == result  # idempotent
    # The same twelve hex digits, in the same order: nothing invented, nothing dropped.
    digits = [char for char in value if char in "0123456789abcdefABCDEF"]
    assert "".join(digits).upper() == result.replace(":", "")
