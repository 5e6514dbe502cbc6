"""``web.limits``: a JSON body that passes the quick look at its bytes (``_plain_json``) would
have passed the full check (parsed, every string, number and nesting level looked at)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from midback.web.limits import MAX_JSON_DEPTH, BadInput, _check_json_body, _plain_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=40,
)


def _passes(body: bytes) -> bool:
    try:
        _check_json_body(body)
    except BadInput:
        return False
    return True


@given(VALUES, st.booleans())
@example([[[]]] * 1, True)
def test_a_plain_body_passes_the_full_check(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if _plain_json(body):
        assert _passes(body), body


@given(st.binary(max_size=64))
def test_any_plain_bytes_pass_the_full_check(body: bytes) -> None:
    if _plain_json(body):
        assert _passes(body), body


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "\\u0000"}',
        b'{"a": "\\ud800"}',
        b"[NaN]",
        b"[-Infinity]",
        b"[1e400]",
        b"[1" + b"0" * 20 + b"]",
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    ],
)
def test_what_the_full_check_refuses_is_never_plain(body: bytes) -> None:
    assert not _passes(body)
    assert not _plain_json(body)


def test_a_plan_body_is_plain() -> None:
    body = b'{"minutes": 10, "place": "home", "focus": "relief", "seed": 12345}'
    assert _plain_json(body) and _passes(body)
