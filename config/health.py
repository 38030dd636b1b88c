"""``GET /healthz``: liveness and readiness for load balancers and docker-compose.

200 when the database answers (and Redis, if configured, answers too); 503 otherwise.
No authentication, and nothing secret in the body: no URLs, hosts, users or error texts.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1.0


def check_database(alias: str = "default") -> dict[str, Any]:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database %s unreachable", alias, exc_info=True)
        return {"ok": False, "vendor": connection.vendor}
    return {"ok": True, "vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return {"ok": None, "configured": False}
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        ok = bool(client.ping())
    except (redis.RedisError, OSError):
        logger.warning("healthz: redis unreachable", exc_info=True)
        ok = False
    finally:
        client.close()
    return {"ok": ok, "configured": True}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    redis_state = check_redis()
    healthy = database["ok"] and redis_state["ok"] is not False
    body = {"status": "ok" if healthy else "degraded", "database": database, "redis": redis_state}
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
