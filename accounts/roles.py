"""How an organisation maps to a scope role; registered with the core in AccountsConfig.ready()."""

from __future__ import annotations

from core.scoping import Role

from .models import Organisation, User

BUREAU_ROLE_BY_DEPTH = {2: Role.PROVINCE_BUREAU, 4: Role.CITY_BUREAU, 6: Role.COUNTY_BUREAU}


def role_of(user: User) -> Role:
    """The role of a (non-superuser) user; an organisation that is not active gives no role (fail closed)."""
    org = user.organisation
    if org is None or not org.is_active_org:
        return Role.NONE
    depth = len(org.division_id or "")
    if org.kind == Organisation.Kind.BUREAU:
        return BUREAU_ROLE_BY_DEPTH.get(depth, Role.NONE)
    if org.kind == Organisation.Kind.TOWNSHIP:
        if depth != 9:
            return Role.NONE
        village = user.village_id
        if village:
            # A village worker of the township: only a village of this township gives a role (fail closed).
            return Role.VILLAGE if len(village) == 12 and village.startswith(org.division_id) else Role.NONE
        return Role.TOWNSHIP
    if org.kind == Organisation.Kind.AGENCY:
        return Role.AGENCY
    if org.kind == Organisation.Kind.EVALUATOR:
        return Role.EVALUATOR
    return Role.NONE


def organisation_of(user: User) -> Organisation:
    """The acting user's organisation. Every role but the system administrator has one (the role is read from
    it); an action that needs it and is called by an account without one is refused."""
    from django.core.exceptions import PermissionDenied

    if user.organisation is None:
        raise PermissionDenied("该账号不属于任何单位，不能进行此操作。")
    return user.organisation
