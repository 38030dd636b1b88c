"""The OpenAPI description of the service accounts' API key (dashboards.keys), registered by importing this module
in DashboardsConfig.ready()."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ServiceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "dashboards.keys.ServiceKeyAuthentication"
    name = "ServiceApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "只读服务账号的接口密钥：Authorization: ApiKey <密钥>"
            "（由民政部门在“数据接口服务账号”页面创建）",
        }
