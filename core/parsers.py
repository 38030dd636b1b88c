"""Request-body parsers with bounds, set as DRF's DEFAULT_PARSER_CLASSES (config/settings.py) so every
endpoint, the unauthenticated token endpoint included, gets them without asking.

The body is read with a cap (DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's own parsers do not apply: they read
the stream directly) and a JSON body's nesting depth is counted before the JSON reader sees it
(core.jsonbounds). Anything outside the bounds is a 400 with a Chinese message, never a 500.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .jsonbounds import JSONBoundsError, loads_bounded


def read_bounded(stream: IO[bytes] | None) -> bytes:
    """The whole body, or a 400 when it is longer than DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise ParseError(f"请求内容过大（上限 {limit // 1024} KB）。")
    return body


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = read_bounded(stream)
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError("请求内容不是有效的 UTF-8 文本。") from None
        try:
            # parse_constant refuses NaN and Infinity, which are not JSON (DRF's STRICT_JSON).
            return loads_bounded(text, max_chars=settings.DATA_UPLOAD_MAX_MEMORY_SIZE, parse_constant=_refuse_constant)
        except JSONBoundsError as exc:
            raise ParseError(str(exc)) from None


def _refuse_constant(name: str) -> Any:
    raise JSONBoundsError(f"JSON 中不允许出现 {name}。")


class BoundedFormParser(parsers.FormParser):
    """URL-encoded forms: the size cap here, the field-count cap (DATA_UPLOAD_MAX_NUMBER_FIELDS) in QueryDict."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = read_bounded(stream)
        try:
            return QueryDict(body, encoding=encoding)
        except Exception as exc:  # TooManyFieldsSent and decoding errors: a client error, not a server error
            raise ParseError("表单字段过多或格式有误。") from exc


# Multipart bodies are read by Django's MultiPartParser, which applies DATA_UPLOAD_MAX_MEMORY_SIZE and
# DATA_UPLOAD_MAX_NUMBER_FIELDS itself (and answers 400 through SuspiciousOperation).
DEFAULT_PARSERS = (BoundedJSONParser, BoundedFormParser, parsers.MultiPartParser)
