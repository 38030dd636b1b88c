"""Export helpers shared by every export (SECURITY.md: a spreadsheet never evaluates an exported cell)."""

from __future__ import annotations

from typing import Any


def csv_safe(value: Any) -> str:
    """A cell as text that a spreadsheet never evaluates as a formula (SECURITY.md)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
