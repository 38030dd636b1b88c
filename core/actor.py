"""Who acts: the type of the user that the core's door, actions, access helpers and audit receive.

The core names no user model (accounts sits above it), so it states what it reads of one: a signed-in user,
the system actor (core.system) or an anonymous caller — which every guard refuses — all have these. Feature
apps type their actions with the accounts app's ``User``; views obtain it through ``accounts.http.authed_user``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def get_username(self) -> str: ...
