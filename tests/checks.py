"""The shapes of the tenancy checks, shared by tests/test_isolation.py and tests/test_write_matrix.py, and the
way each app contributes its own checks without editing those two files.

An app's test package may hold:

- ``tests/<app>/isolation.py`` with any of ``LISTS`` (ListCheck), ``DETAILS`` (DetailCheck), ``ROLE_PAGES``
  (RolePageCheck), ``EXEMPT`` (named URL -> reason), ``PUBLIC_DETAILS`` (set of names), and the hooks
  ``seed()`` (rows every isolation test sees, inside its transaction) and ``outside()`` (rows outside every
  Fujian account, e.g. in 白沙, so detail checks meet the 404 answer);
- ``tests/<app>/write_cases.py`` with ``cases() -> dict[str, Case]`` for the actions it declares.

The expected answers come from an oracle computed from the data, never through core.scoping.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.test import Client

from accounts.models import User


def html_ids(pattern: str) -> Callable[[Client, str], set[str]]:
    """Ids linked from an HTML list, following its pages (``?page=2`` …)."""

    def extract(client: Client, url: str) -> set[str]:
        seen: set[str] = set()
        page = 1
        while True:
            paged = url + ("&" if "?" in url else "?") + f"page={page}"
            response = client.get(paged)
            assert response.status_code == 200, (paged, response.status_code)
            body = response.content.decode()
            seen |= set(re.findall(pattern, body))
            page += 1
            if f"page={page}" not in body:
                return seen

    return extract


def api_ids(field: str = "id") -> Callable[[Client, str], set[str]]:
    def extract(client: Client, url: str) -> set[str]:
        seen: set[str] = set()
        next_url: str | None = url + ("&" if "?" in url else "?") + "limit=1000"
        while next_url:
            response = client.get(next_url)
            assert response.status_code == 200, (next_url, response.status_code)
            data = response.json()
            rows = data["results"] if isinstance(data, dict) and "results" in data else data
            seen |= {str(r[field]) for r in rows}
            next_url = data.get("next") if isinstance(data, dict) else None
        return seen

    return extract


@dataclass(frozen=True)
class ListCheck:
    name: str
    url: str
    extract: Callable[[Client, str], set[str]]
    expected: Callable[[User], set[Any]]
    complete: bool = True  # False: the page shows a window (a tree level, a page), so only "nothing foreign"


@dataclass(frozen=True)
class DetailCheck:
    name: str
    url: Callable[[Any], str]
    objects: Callable[[], Iterable[Any]]
    expected: Callable[[User], set[Any]]
    key: Callable[[Any], Any] = lambda o: o.pk


@dataclass(frozen=True)
class RolePageCheck:
    """A page only some roles reach (others: 404), listing exactly the oracle's rows for those who do."""

    name: str
    url: str
    allowed: Callable[[User], bool]
    pattern: str = ""  # the ids the page shows; "" for a form
    expected: Callable[[User], set[Any]] = lambda u: set()


@dataclass
class Case:
    """How to take one action: ``call(user, target)`` performs it; ``http(client, target)`` (optional)
    performs it through the page or API and returns the response."""

    right_user: str
    wrong_role_user: str | None  # None: every role may take it (on its own rows)
    in_scope: Callable[[], Any]
    out_of_scope: Callable[[], Any] | None  # None: only the system administrator acts, and it has no outside
    call: Callable[[Any, Any], Any]
    http: Callable[[Client, Any], Any] | None = None
    http_ok: tuple[int, ...] = (200, 302)
    wrong_state: Callable[[], Any] | None = None
    wrong_state_call: Callable[[Any, Any], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def contributions(module_name: str) -> list[ModuleType]:
    """``tests.<package>.<module_name>`` for every test package that has one, in name order."""
    import tests

    found = []
    for info in sorted(pkgutil.iter_modules(tests.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            found.append(importlib.import_module(f"tests.{info.name}.{module_name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{info.name}.{module_name}":
                raise
    return found


def collected(module_name: str, attribute: str) -> Iterable[Any]:
    for module in contributions(module_name):
        value = getattr(module, attribute, None)
        if value is not None:
            yield value
