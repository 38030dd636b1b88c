"""Writes as declared actions: the one way anything changes (STYLE.md "Writes, reads, tasks").

Every write function in an app's ``actions.py`` is registered here with :func:`declare`, which says

* which model it writes and with which scope verb (``add``, ``change``, ``delete``, ``unmask``, ...): the
  object must be inside ``Model.objects.for_user(user, verb)``;
* which roles may take it (by default the roles the model's ``ScopeRule.writers`` gives that verb);
* in which states of the object it may be taken (``state_field`` and ``states``), the way
  ``Station.TRANSITIONS`` declares the status lifecycle.

The page, the API and the admin all call the same registered function. The API base (``core.api``)
refuses any write that is not mapped to a declared action, and tells the caller, per object, which actions
it may take next (:func:`available_actions`). ``tests/test_write_matrix.py`` runs every declared action for
anonymous, wrong-role, out-of-scope, in-scope and wrong-state callers and fails on an action it does not
cover. The registry is filled at import time of the apps' ``actions`` modules (imported from their
``AppConfig.ready``); it touches no database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .actor import Actor
from .scoping import Action, Role, scope_of

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ActionSpec:
    """One declared write."""

    name: str  # "<app>.<verb-ish>", e.g. "stations.update"; stable: the API reports it
    label: str  # Chinese, for pages and the API
    model: type[models.Model]
    verb: str  # the scope verb checked through for_user
    roles: frozenset[Role] | None = None  # None: the model's ScopeRule.writers[verb]
    state_field: str = ""  # the field holding the object's state, if the action depends on it
    states: frozenset[str] | None = None  # states in which the action may be taken (None: any)
    detail: bool = True  # acts on an existing object (False: creates one)
    func: Callable[..., Any] | None = None
    # Optional condition on the object beyond its state (e.g. "a task book exists"): offered only when it holds.
    available: Callable[[Any], bool] | None = None

    def allowed_roles(self) -> frozenset[Role]:
        if self.roles is not None:
            return self.roles
        rule = getattr(self.model, "scoping", None)
        if rule is None:
            return frozenset()
        return frozenset(rule.writers.get(self.verb, frozenset()))

    def role_may(self, role: Role) -> bool:
        if role == Role.NONE:
            return False
        return role == Role.ADMIN or role in self.allowed_roles()

    def state_allows(self, obj: models.Model | None) -> bool:
        if obj is None or self.states is None or not self.state_field:
            return True
        return str(getattr(obj, self.state_field)) in self.states


_registry: dict[str, ActionSpec] = {}


def declare(
    name: str,
    *,
    label: str,
    model: type[models.Model],
    verb: str,
    roles: Iterable[Role] | None = None,
    state_field: str = "",
    states: Iterable[str] | None = None,
    detail: bool = True,
    available: Callable[[Any], bool] | None = None,
) -> Callable[[F], F]:
    """Register a write function as an action. The function keeps its signature; calling it checks the
    caller's role first (Http404 otherwise, like an object out of scope); the function itself re-reads its object
    ``for_user(acting_user, verb)`` inside its transaction and checks the state with :func:`check_state`."""

    def wrap(func: F) -> F:
        spec = ActionSpec(
            name=name,
            label=label,
            model=model,
            verb=verb,
            roles=frozenset(roles) if roles is not None else None,
            state_field=state_field,
            states=frozenset(str(s) for s in states) if states is not None else None,
            detail=detail,
            func=func,
            available=available,
        )
        if name in _registry and _registry[name].func is not func:
            raise RuntimeError(f"action {name} declared twice")

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = kwargs.get("acting_user")
            if not spec.role_may(scope_of(user).role):
                # The same answer as an object out of scope: nobody learns what exists (STYLE.md).
                raise Http404("不存在或不在您的权限范围内。")
            return func(*args, **kwargs)

        guarded.action_spec = spec  # type: ignore[attr-defined]
        _registry[name] = spec
        return guarded  # type: ignore[return-value]

    return wrap


def check_state(spec_name: str, obj: models.Model) -> None:
    """Inside an action, after re-reading the object: refuse a state the action does not allow."""
    spec = _registry[spec_name]
    if not spec.state_allows(obj):
        field_label = getattr(obj._meta.get_field(spec.state_field), "verbose_name", spec.state_field)
        display = getattr(obj, f"get_{spec.state_field}_display", lambda: getattr(obj, spec.state_field))()
        raise PermissionDenied(f"{field_label}为“{display}”时不能{spec.label}。")


def spec_of(action: str | Callable[..., Any]) -> ActionSpec:
    if callable(action):
        found = getattr(action, "action_spec", None)
        if found is None:
            raise LookupError(f"{action!r} is not a declared action")
        return found
    return _registry[action]


def registry() -> dict[str, ActionSpec]:
    return dict(_registry)


def for_model(model: type[models.Model]) -> list[ActionSpec]:
    return [spec for spec in _registry.values() if spec.model is model]


def available_actions(user: Actor | None, obj: models.Model) -> list[dict[str, str]]:
    """The detail actions ``user`` may take on ``obj`` now: role, scope for the verb, and state.

    Scope is read from ``obj._may_<verb>`` when the queryset was annotated with
    ``ScopedQuerySet.with_permissions`` (no query per row); otherwise one query per verb."""
    role = scope_of(user).role
    out: list[dict[str, str]] = []
    for spec in for_model(type(obj)):
        if not spec.detail or not spec.role_may(role) or not spec.state_allows(obj):
            continue
        if spec.available is not None and not spec.available(obj):
            continue
        flag = getattr(obj, f"_may_{spec.verb}", None)
        if flag is None:
            manager = type(obj)._default_manager
            flag = manager.for_user(user, spec.verb).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]
        if flag:
            out.append({"action": spec.name, "label": spec.label})
    return out


def verbs_of(model: type[models.Model]) -> list[str]:
    return sorted({spec.verb for spec in for_model(model) if spec.detail})


__all__ = [
    "Action",
    "ActionSpec",
    "available_actions",
    "check_state",
    "declare",
    "for_model",
    "registry",
    "spec_of",
    "verbs_of",
]
