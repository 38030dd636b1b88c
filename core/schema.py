"""OpenAPI post-processing (drf-spectacular POSTPROCESSING_HOOKS): every operation documents the error
answers the API really gives, so the schema and the answers agree (checked by tests/hardening/test_schema_fuzz.py).

400: bad parameters or body (validation, paging, body too large or too deeply nested, core.parsers);
401: no or expired credentials; 403: a role without the permission; 404: absent or outside the user's scope.
Error bodies are DRF's: ``{"detail": …}``, ``{"field": [...]}`` or a list of messages.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {"oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}]}
ERRORS = {
    "400": "请求参数或内容有误（中文说明见返回内容）",
    "401": "未登录或令牌已失效",
    "403": "无权执行此操作",
    "404": "不存在或不在您的权限范围内",
}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "patch", "post", "delete", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
