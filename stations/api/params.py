"""Query parameters that name a division (``?division=<code>``), read the same way by every endpoint."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

CODE_LENGTHS = (2, 4, 6, 9, 12)  # province, city, county, township, village (NBS codes)


def division_code_param(request: Request, name: str = "division") -> str:
    """The code given in ``name``: present and shaped like a division code, else a Chinese 400 (a malformed code,
    a NUL byte included, never reaches the database)."""
    code = (request.query_params.get(name) or "").strip()
    if not code:
        raise ValidationError({name: ["请提供区划代码（division 参数）。"]})
    if not code.isdigit() or len(code) not in CODE_LENGTHS:
        raise ValidationError({name: ["区划代码应为 2、4、6、9 或 12 位数字。"]})
    return code
