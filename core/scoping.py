"""The one door to tenant data (STYLE.md "Tenancy: one door").

Every tenant-owned model declares a ``scoping = ScopeRule(...)`` and uses
``ScopedManager``; ``Model.objects.for_user(user, action)`` is then the only
way views, API viewsets, exports, admin lists, form dropdowns and tasks read
those rows. It fails closed: an anonymous or inactive user, a user without an
organisation, an unknown organisation kind or an action the role may not take
all give an empty queryset. Out-of-scope objects are therefore 404 everywhere.

The division tree is walked with prefix matches on the 12-digit statistical
code (province 2, city 4, county 6, township 9, village 12 digits), which the
PostgreSQL ``varchar_pattern_ops`` index on the primary key serves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.personal.idnumber import earliest_birth_under
from core.system import is_system_actor

from .actor import Actor


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    # Reading personal data in clear (core.personal): roles are named in ScopeRule.writers like any action.
    UNMASK = "unmask"
    EXPORT = "export"


class Role(StrEnum):
    """The scope role of a user, derived from its organisation."""

    ADMIN = "admin"
    PROVINCE_BUREAU = "province_bureau"
    CITY_BUREAU = "city_bureau"
    COUNTY_BUREAU = "county_bureau"
    TOWNSHIP = "township"
    # A township government's account assigned to one village (村级民政专干): it reads the village's subtree
    # only, takes no action no rule names it for, and is not reached through the township's ownership.
    VILLAGE = "village"
    AGENCY = "agency"
    EVALUATOR = "evaluator"
    # The system actor (core/system.py) that Celery jobs and management commands run as: a deliberate,
    # documented global READ scope; it writes only where a ScopeRule lists Role.SYSTEM among the writers.
    SYSTEM = "system"
    NONE = "none"


BUREAU_ROLES = frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})
# Roles that see a division subtree of their own (their organisation's; a village worker's village).
DIVISION_ROLES = BUREAU_ROLES | {Role.TOWNSHIP, Role.VILLAGE}


def ancestor_codes(code: str) -> list[str]:
    """Proper ancestors of a division code, root first ("350425100" -> ["35", "3504", "350425"])."""
    return [code[:n] for n in (2, 4, 6, 9) if n < len(code)]


@dataclass(frozen=True)
class UserScope:
    role: Role
    organisation_id: int | None = None
    # Division subtrees this user may see (bureaus, townships; agencies and
    # evaluators through their stations).
    roots: tuple[str, ...] = ()
    # Stations visible through a contract (agency) or a guardian grant (evaluator).
    station_ids: frozenset[int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_global(self) -> bool:
        # The system actor's reach is global too, but ScopeRule.may limits it to reading and to the actions
        # whose rule lists Role.SYSTEM among the writers.
        return self.role in (Role.ADMIN, Role.SYSTEM)


# --- registration points -------------------------------------------------------------------------
# The core names no feature model. The accounts app tells it how a user's organisation maps to a role;
# feature apps tell it which stations a role reaches through them (an agency through its contracts in
# force, an evaluator through its guardian grants). Registered in AppConfig.ready(), which touches no
# database.

RoleResolver = Callable[[Any], Role]
# A station provider answers {station id: division code} for a user of the role it is registered for.
StationProvider = Callable[[Any], dict[int, str]]

_role_resolver: RoleResolver | None = None
_station_providers: dict[Role, StationProvider] = {}


def register_role_resolver(resolver: RoleResolver) -> None:
    global _role_resolver
    _role_resolver = resolver


def register_station_provider(role: Role, provider: StationProvider) -> None:
    """Stations that ``role`` reaches through a feature (at most one provider per role)."""
    _station_providers[role] = provider


def _role_of(user: Actor) -> Role:
    if user.is_superuser:
        return Role.ADMIN
    if _role_resolver is None:
        return Role.NONE  # fail closed until the accounts app has registered
    return _role_resolver(user)


def scope_of(user: Actor | None) -> UserScope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return UserScope(role=Role.NONE)
    cached = getattr(user, "_zhanwu_scope", None)
    if cached is not None:
        return cached
    # The scope is cached on the user object; organisation and its division are the accounts app's (an Actor
    # with a role has them: the role resolver answered from them).
    account: Any = user
    if is_system_actor(user):
        # The system actor cannot log in (inactive, unusable password) and is recognised before the
        # is_active test below, which keeps every other inactive account out.
        system = UserScope(role=Role.SYSTEM)
        account._zhanwu_scope = system
        return system
    if not user.is_active:
        return UserScope(role=Role.NONE)
    role = _role_of(user)
    scope: UserScope
    if role in BUREAU_ROLES or role == Role.TOWNSHIP:
        scope = UserScope(role=role, organisation_id=account.organisation_id, roots=(account.organisation.division_id,))
    elif role == Role.VILLAGE:
        # Narrowed to the village the account is assigned to (the role resolver checked it lies in the
        # organisation's township); the organisation's own rows are not reached through it (see q_for).
        scope = UserScope(role=role, organisation_id=account.organisation_id, roots=(account.village_id,))
    elif role in _station_providers:
        stations = _station_providers[role](user)
        scope = UserScope(
            role=role,
            organisation_id=account.organisation_id,
            roots=tuple(sorted(set(stations.values()))),
            station_ids=frozenset(stations),
        )
    else:
        scope = UserScope(role=role, organisation_id=getattr(user, "organisation_id", None))
    account._zhanwu_scope = scope
    return scope


def forget_scope(user: Actor | None) -> None:
    if user is not None and hasattr(user, "_zhanwu_scope"):
        delattr(user, "_zhanwu_scope")


def _subtree_q(path: str, roots: tuple[str, ...]) -> Q:
    if not roots:
        return Q(pk__in=[])
    if path.endswith("_id"):
        path = f"{path[:-3]}__pk"  # a prefix match on the foreign key's column; Django adds no join

    def one(root: str) -> Q:
        # LIKE 'root%' plus the equivalent range, so a plain b-tree index can seek to the subtree
        # whatever the database collation (codes are digits: '43' <= code < '44').
        upper = root[:-1] + chr(ord(root[-1]) + 1)
        return Q(**{f"{path}__startswith": root, f"{path}__gte": root, f"{path}__lt": upper})

    return reduce(or_, (one(root) for root in roots))


@dataclass(frozen=True)
class ScopeRule:
    """How one model is scoped.

    division:   ORM path to the division code the row belongs to.
    station:    ORM path to the station id the row belongs to (agency/evaluator scope by station).
    agency:     ORM path to the agency organisation id (an agency sees only the rows it is party to).
    owner:      ORM path to an organisation id: the user's own organisation always sees the row.
    ancestors:  rows on the ancestors of the user's roots are visible too (policies: inherited values).
    guardian:   evaluators see rows granted to them directly through django-guardian.
    public:     reference data (the service catalogue): every known role may view all rows.
    viewers:    when set, only these roles may view (e.g. the audit log: bureaus).
    user:       ORM path to a user id: each user sees only its own rows (an inbox), whatever its role;
                only the system actor reaches every user's rows (to deliver them).
    writers:    action -> roles allowed to take it (view is open to every known role); ``unmask`` and
                ``export`` (clear personal data, core.personal) are named here too.
    minors:     ORM path to the birth date of the person a row is about. Rows about a child under
                ``minor_age`` (个人信息保护法 第二十八条、第三十一条: 不满十四周岁) — or of unknown birth date —
                are visible, for every action, only to the ``minor_viewers`` roles (those that serve
                children) and to system administrators.
    minors_among: a to-many ORM path to the birth dates of the people a row is about (e.g.
                ``beneficiaries__birth_date``: the people a service record names). The row is hidden from the
                roles outside ``minor_viewers`` when any of them is a child or of unknown birth date (fail
                closed); a row naming nobody is not. Served by a subquery on the primary key, never a join of
                the outer query (as ``via``), so each row still comes once.
    ancestors_q: narrows the rows seen on the ancestors (e.g. organisations above: only the bureaus).
    station_q:  narrows what roles that reach the tree only through stations (agencies, evaluators) see by
                division (e.g. organisations: only government bodies, never another agency).
    via:        a to-many ORM path to division codes (e.g. ``stations__division_id``: the stations a county
                plan names): the ``via_roles`` also VIEW — never change — the rows with one of those in their
                subtree (a township the plans naming its stations). Served by a subquery on the primary key,
                never a join of the outer query, so each row still comes once.
    """

    division: str | None = None
    station: str | None = None
    agency: str | None = None
    owner: str | None = None
    ancestors: bool = False
    guardian: bool = False
    public: bool = False
    viewers: frozenset[Role] | None = None
    writers: dict[str, frozenset[Role]] = field(default_factory=dict)
    ancestors_q: Q | None = None
    station_q: Q | None = None
    minors: str | None = None
    minor_viewers: frozenset[Role] = frozenset()
    minor_age: int = 14
    minors_among: str | None = None
    user: str | None = None
    via: str | None = None
    via_roles: frozenset[Role] = frozenset({Role.TOWNSHIP})

    def minors_hidden_q(self, role: Role, model: type[models.Model] | None = None) -> Q | None:
        """The filter hiding children's rows from ``role``; None when the role sees them (or no minors rule).
        ``model`` (the scoped model) is needed for ``minors_among``."""
        if not (self.minors or self.minors_among) or role in self.minor_viewers or role == Role.ADMIN:
            return None
        cutoff = earliest_birth_under(self.minor_age, timezone.localdate())
        parts: list[Q] = []
        if self.minors:
            # Fail closed: a row whose birth date is unknown may be a child's.
            parts.append(Q(**{f"{self.minors}__lt": cutoff}))
        if self.minors_among:
            if model is None:
                raise ValueError("minors_among needs the scoped model")
            person = self.minors_among.rsplit("__", 1)[0]
            about_children = model._default_manager.filter(
                Q(**{f"{self.minors_among}__gte": cutoff})
                | Q(**{f"{person}__isnull": False, f"{self.minors_among}__isnull": True})
            ).values("pk")
            parts.append(~Q(pk__in=about_children))
        return reduce(and_, parts)

    def may(self, role: Role, action: str) -> bool:
        if role == Role.NONE:
            return False
        if role == Role.ADMIN:
            return True
        if role == Role.SYSTEM:
            # Global read (jobs compute over every tenant's rows); writes only through actions whose
            # rule names the system role.
            return action == Action.VIEW or role in self.writers.get(action, frozenset())
        if action == Action.VIEW:
            return self.viewers is None or role in self.viewers
        return role in self.writers.get(action, frozenset())

    def q_for(self, scope: UserScope, action: str = Action.VIEW) -> Q | None:  # noqa: C901 - one branch per role, kept together on purpose
        """The filter for a scope; None means nothing is visible."""
        if self.public:
            return Q()
        # Values inherited from above are read, never written, from below.
        up = self.ancestors and action == Action.VIEW
        parts: list[Q] = []
        if scope.role in DIVISION_ROLES:
            if self.division:
                parts.append(_subtree_q(self.division, scope.roots))
                if up:
                    parts.extend(self._ancestors_part(scope))
        elif scope.role == Role.AGENCY and self.agency:
            # Rows an agency is party to (its contracts): only its own, whatever their place.
            parts.append(Q(**{self.agency: scope.organisation_id}))
        elif scope.role == Role.EVALUATOR and self.agency:
            pass  # agreements between bureau and agency: an evaluator sees only what it is granted
        elif scope.role in (Role.AGENCY, Role.EVALUATOR):
            if self.station:
                parts.append(Q(**{f"{self.station}__in": sorted(scope.station_ids or ())}))
            elif self.division:
                by_division = [_subtree_q(self.division, scope.roots)]
                if up:
                    by_division.extend(self._ancestors_part(scope))
                if self.station_q is not None:
                    by_division = [part & self.station_q for part in by_division]
                parts.extend(by_division)
        # A village worker's organisation is the township government: what the township owns elsewhere in the
        # township is not the village's (fail closed), so ownership widens no village scope.
        if self.owner and scope.organisation_id is not None and scope.role != Role.VILLAGE:
            parts.append(Q(**{self.owner: scope.organisation_id}))
        if not parts:
            return None
        return reduce(or_, parts)

    def _ancestors_part(self, scope: UserScope) -> list[Q]:
        codes = sorted({a for r in scope.roots for a in ancestor_codes(r)})
        if not codes or not self.division:
            return []
        part = Q(**{f"{self.division}__in": codes})
        return [part & self.ancestors_q if self.ancestors_q is not None else part]


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user: Actor | None, action: str = Action.VIEW) -> ScopedQuerySet:
        rule: ScopeRule | None = getattr(self.model, "scoping", None)
        scope = scope_of(user)
        if rule is None or not rule.may(scope.role, action):
            return self.none()
        if rule.user and scope.role != Role.SYSTEM:
            return self.filter(**{rule.user: getattr(user, "pk", None)})
        if scope.is_global:
            return self
        q = rule.q_for(scope, action)
        if rule.via and action == Action.VIEW and scope.role in rule.via_roles:
            named = self.model._default_manager.filter(_subtree_q(rule.via, scope.roots)).values("pk")
            q = Q(pk__in=named) if q is None else (q | Q(pk__in=named))
        # Evaluators' direct grants; for stations themselves the grants are already scope.station_ids.
        if scope.role == Role.EVALUATOR and rule.guardian and rule.station != "pk":
            from guardian.shortcuts import get_objects_for_user

            opts = self.model._meta
            granted = get_objects_for_user(
                user,
                f"{opts.app_label}.{action}_{opts.model_name}",
                klass=self.model._default_manager.all(),
                accept_global_perms=False,
                with_superuser=False,
            ).values("pk")
            q = Q(pk__in=granted) if q is None else (q | Q(pk__in=granted))
        if q is None:
            return self.none()
        adults = rule.minors_hidden_q(scope.role, self.model)
        if adults is not None:
            q &= adults
        # Every scope path is a foreign key chain or a column, never a to-many join: no duplicates, no DISTINCT.
        return self.filter(q)

    def with_permissions(self, user: Actor | None, verbs: list[str]) -> ScopedQuerySet:
        """Annotate each row with ``_may_<verb>``: whether ``user`` may take that verb on it, inside the same
        SELECT (no query per row). Used to tell API callers what they may do next."""
        rule: ScopeRule | None = getattr(self.model, "scoping", None)
        scope = scope_of(user)
        annotations: dict[str, Any] = {}
        for verb in verbs:
            name = f"_may_{verb}"
            if rule is None or not rule.may(scope.role, verb):
                annotations[name] = models.Value(False, output_field=models.BooleanField())
            elif scope.is_global:
                annotations[name] = models.Value(True, output_field=models.BooleanField())
            else:
                allowed = self.model._default_manager.all().for_user(user, verb).values("pk")  # type: ignore[attr-defined]
                annotations[name] = models.Exists(allowed.filter(pk=models.OuterRef("pk")))
        return self.annotate(**annotations) if annotations else self


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass
