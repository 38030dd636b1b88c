"""The system actor: the one user that Celery jobs and management commands act as.

Jobs never read through unscoped managers (``Model.objects.all()`` in a task is a bug). They go through
``Model.objects.for_user(system_actor(), action)`` like every view does, and what they write goes through
actions that name ``Role.SYSTEM`` among the roles allowed to take them, so every write leaves an audit row
under the name ``system``.

Scope of ``Role.SYSTEM`` (core/scoping.py, ``ScopeRule.may``): a deliberate, documented global READ — a daily
job computes over every tenant's rows — and writes only where a model's ``ScopeRule.writers`` lists
``Role.SYSTEM`` for that action (today: the obligations the sweep creates and moves, and the notifications it
raises). Everything else it may not add, change or delete.

The account cannot log in: it is inactive and has an unusable password. It is recognised by its username
*and* those two properties, so an administrator who activates it or gives it a password takes away its system
scope (fail closed) rather than creating a login with global read.

It is created on demand, idempotently, in one place (``system_actor``); nothing touches the database at
import or in ``AppConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

SYSTEM_USERNAME = "system"
SYSTEM_FULL_NAME = "系统任务"


def is_system_actor(user: object) -> bool:
    """Whether a user object is the system actor (no database access)."""
    return (
        getattr(user, "username", None) == SYSTEM_USERNAME
        and not getattr(user, "is_active", True)
        and not getattr(user, "is_superuser", False)
        and hasattr(user, "has_usable_password")
        and not user.has_usable_password()
    )


def system_actor() -> Any:
    """The system user, created on first use (get_or_create: safe when two jobs start at once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    defaults: dict[str, Any] = {
        "is_active": False,
        "is_staff": False,
        "is_superuser": False,
        "password": make_password(None),  # unusable: nobody logs in as the system
    }
    if any(f.name == "full_name" for f in user_model._meta.get_fields()):
        defaults["full_name"] = SYSTEM_FULL_NAME  # how audit pages name it
    user, _ = user_model._default_manager.get_or_create(username=SYSTEM_USERNAME, defaults=defaults)
    if not is_system_actor(user):
        # Someone turned the account into a login (activated it, set a password, made it a superuser):
        # refuse to act with it rather than hand a job a person's scope.
        raise RuntimeError("系统任务账号已被改动（启用、设置了密码或授予了管理员权限），任务拒绝以该账号运行。")
    return user
