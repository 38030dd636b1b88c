"""Bounded JSON: the depth and size of a JSON text are checked BEFORE it is parsed.

Python's JSON reader recurses once per nesting level, so ``'[' * 50000`` ends in a RecursionError (a 500)
instead of a clear refusal. Every JSON text a user sends (API bodies through ``core.parsers``, the policy
editor's map fields through ``policies.registry``) goes through ``loads_bounded``; a text deeper than
``MAX_DEPTH`` or longer than ``MAX_CHARS`` is refused with a Chinese message before the reader sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Nothing this application accepts is nested more than a few levels (a map of values, a list of names).
MAX_DEPTH = 20
# A form field or API body holding JSON is small; the request itself is capped by
# DATA_UPLOAD_MAX_MEMORY_SIZE (config/settings.py) before it is read.
MAX_CHARS = 1024 * 1024

# A JSON string (with escapes), removed before the brackets are counted so "[[[" inside a string is text.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONBoundsError(ValueError):
    """The text is not JSON within the bounds; the message is for the user (Chinese)."""


def json_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest bracket nesting of a JSON text, counted without parsing it.

    With ``stop_above`` the count stops as soon as that depth is exceeded (the answer is then
    ``stop_above + 1``), so a hostile text costs no more than needed to refuse it."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        else:
            depth -= 1
    return deepest


def check_bounds(text: str, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_CHARS) -> None:
    if len(text) > max_chars:
        raise JSONBoundsError(f"JSON 内容过长（上限 {max_chars} 个字符）。")
    if json_depth(text, stop_above=max_depth) > max_depth:
        raise JSONBoundsError(f"JSON 嵌套层数过多（上限 {max_depth} 层）。")


def loads_bounded(
    text: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_CHARS, **kwargs: Any
) -> Any:
    """``json.loads`` after the depth and size check; any failure is a JSONBoundsError with a Chinese message."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise JSONBoundsError("JSON 内容不是有效的 UTF-8 文本。") from None
    check_bounds(text, max_depth=max_depth, max_chars=max_chars)
    try:
        return json.loads(text, **kwargs)
    except json.JSONDecodeError as exc:
        raise JSONBoundsError(f"JSON 格式有误（第 {exc.lineno} 行第 {exc.colno} 列）。") from None
    except RecursionError:  # the check above makes this unreachable; kept so no JSON text can ever be a 500
        raise JSONBoundsError(f"JSON 嵌套层数过多（上限 {max_depth} 层）。") from None
