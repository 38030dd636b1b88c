"""The adapter from a dated rule's value to a date: ISO strings, typed values, absent or malformed values."""

from __future__ import annotations

import datetime as dt

import pytest

from obligations.policy_dates import as_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-05-31", dt.date(2021, 5, 31)),
        (" 2023-06-30 ", dt.date(2023, 6, 30)),
        ({"date": "2022-08-31"}, dt.date(2022, 8, 31)),
        ({"value": "2021-06-10"}, dt.date(2021, 6, 10)),
        (dt.date(2021, 5, 10), dt.date(2021, 5, 10)),
        (None, None),
        ("", None),
        ("13-45", None),
        ("2021-02-30", None),
        ({"month": 11, "day": 30}, None),
        (30, None),
    ],
)
def test_as_date(value: object, expected: dt.date | None) -> None:
    assert as_date(value) == expected
