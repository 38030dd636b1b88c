"""Paging for every API list (DRF's DEFAULT_PAGINATION_CLASS): ``limit`` and ``offset`` are validated,
and a page holds at most MAX_PAGE_SIZE rows.

``limit`` is an integer from 1; above MAX_PAGE_SIZE it is lowered to MAX_PAGE_SIZE (the answer's
``next`` link carries on from there). ``offset`` is an integer from 0. Anything else (``limit=abc``,
``offset=-1``, ``offset=null``, a number too long for the database) is a 400 with a Chinese message,
instead of DRF's silent fallback to the defaults or a database error.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# An offset beyond any table this system holds; also keeps the SQL OFFSET inside bigint.
MAX_OFFSET = 10**9

_DIGITS = re.compile(r"[0-9]{1,12}")


def _integer(request: Request, name: str, minimum: int, message: str) -> int | None:
    if name not in request.query_params:
        return None
    raw = request.query_params[name]
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        raise ValidationError({name: [message]})
    return int(raw)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int:
        limit = _integer(request, self.limit_query_param, 1, f"每页条数应为 1–{MAX_PAGE_SIZE} 的整数。")
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        offset = _integer(request, self.offset_query_param, 0, "起始位置应为不小于 0 的整数。")
        if offset is None:
            return 0
        if offset > MAX_OFFSET:
            raise ValidationError({self.offset_query_param: [f"起始位置不能超过 {MAX_OFFSET}。"]})
        return offset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数（默认 {DEFAULT_PAGE_SIZE}，大于 {MAX_PAGE_SIZE} 时按 {MAX_PAGE_SIZE} 返回）",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**12 - 1},
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "起始位置（从 0 开始）",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            },
        ]
