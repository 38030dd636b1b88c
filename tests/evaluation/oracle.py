"""Expected evaluation rows per user, computed from the data without core.scoping."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission

from accounts.models import Organisation, User
from evaluation.models import Evaluation, EvaluationTemplate, Renewal
from stations.selectors import evaluator_group_name


def _prefix(user: User) -> str | None:
    org = user.organisation
    if org is not None and org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        from tests.oracle import home_prefix

        return home_prefix(user)
    return None


def evaluation_ids(user: User) -> set[int]:
    rows = list(Evaluation.objects.values_list("pk", "contract__division_id", "contract__agency_id"))
    if user.is_superuser:
        return {pk for pk, _, _ in rows}
    org = user.organisation
    assert org is not None
    prefix = _prefix(user)
    if prefix is not None:
        return {pk for pk, code, _ in rows if code.startswith(prefix)}
    if org.kind == Organisation.Kind.AGENCY:
        return {pk for pk, _, agency in rows if agency == org.pk}
    if org.kind == Organisation.Kind.EVALUATOR:
        granted = GroupObjectPermission.objects.filter(
            group__name=evaluator_group_name(org.pk),
            permission__codename="view_evaluation",
            content_type=ContentType.objects.get_for_model(Evaluation),
        ).values_list("object_pk", flat=True)
        return {int(pk) for pk in granted}
    return set()


def renewal_ids(user: User) -> set[int]:
    rows = list(Renewal.objects.values_list("pk", "previous__division_id", "previous__agency_id"))
    if user.is_superuser:
        return {pk for pk, _, _ in rows}
    org = user.organisation
    assert org is not None
    prefix = _prefix(user)
    if prefix is not None:
        return {pk for pk, code, _ in rows if code.startswith(prefix)}
    if org.kind == Organisation.Kind.AGENCY:
        return {pk for pk, _, agency in rows if agency == org.pk}
    return set()


def template_ids(user: User) -> set[int]:
    """Evaluation templates: the system administrator all; a bureau those of its subtree; nobody else."""
    rows = list(EvaluationTemplate.objects.values_list("pk", "bureau__division_id"))
    if user.is_superuser:
        return {pk for pk, _ in rows}
    org = user.organisation
    if org is None or org.kind != Organisation.Kind.BUREAU:
        return set()
    return {pk for pk, code in rows if code.startswith(org.division_id)}
