"""Every write to monthly briefs and periodic reports: keyword-only, atomic, audited, re-checked against scope.

The brief's workflow is data (``TRANSITIONS``): draft → submitted (agency) → reviewed (township) → accepted
(county bureau), or returned with comments by the township (from submitted) or by the bureau (from reviewed);
a returned brief is edited and submitted again. Each step records who and when. An accepted brief is locked:
the agency edits it again only while a bureau's exception (reason, expiry; ``BriefUnlock``) is unexpired.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import audit
from core.actions import check_state, declare
from core.scoping import Action, Role

from .models import BriefUnlock, MonthlyBrief, PeriodicReport
from .prefill import brief_figures

S = MonthlyBrief.State
TEXT_FIELDS = ["narrative", "highlights", "problems", "next_plan"]
TEXT_MAX = 5000
EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.ACCEPTED})  # accepted: only under an unexpired exception
# Reasons and comments: bounded text.
REASON_MAX = 300


def _locked(user: User, brief: MonthlyBrief) -> MonthlyBrief:
    current = MonthlyBrief.objects.for_user(user, Action.CHANGE).select_for_update().filter(pk=brief.pk).first()
    if current is None:
        raise PermissionDenied("无权操作该简报。")
    return current


def has_active_unlock(brief: MonthlyBrief) -> bool:
    return BriefUnlock.objects.filter(brief_id=brief.pk, expires_at__gt=timezone.now()).exists()


def _audit(user: User, brief: MonthlyBrief, changes: dict[str, Any]) -> None:
    audit.record(acting_user=user, event="update", obj=brief, division_code=brief.division_id, changes=changes)


@declare(
    "reports.brief_edit",
    label="填写简报",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.AGENCY],
    state_field="state",
    states=EDITABLE,
)
@transaction.atomic
def brief_edit(*, acting_user: User, brief: MonthlyBrief, data: dict[str, str]) -> MonthlyBrief:
    """The agency's narrative, highlights, problems and next month's plan (no numbers: those come from records)."""
    current = _locked(acting_user, brief)
    check_state("reports.brief_edit", current)
    if current.state == S.ACCEPTED and not has_active_unlock(current):
        raise PermissionDenied("简报已验收锁定；如需修改，请县民政局开通限时修改。")
    before = audit.snapshot(current, TEXT_FIELDS)
    errors = {}
    for name, value in data.items():
        if name not in TEXT_FIELDS:
            raise PermissionDenied(f"不可修改的字段：{name}")
        value = (value or "").strip()
        if len(value) > TEXT_MAX:
            errors[name] = f"不能超过{TEXT_MAX}字。"
        setattr(current, name, value)
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(before, audit.snapshot(current, TEXT_FIELDS))
    if changes:
        if current.state == S.ACCEPTED:
            current.figures = brief_figures(current.station, current.period)
        current.save()
        _audit(acting_user, current, changes)
    return current


@declare(
    "reports.brief_submit",
    label="报送简报",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.AGENCY],
    state_field="state",
    states=[S.DRAFT, S.RETURNED],
)
@transaction.atomic
def brief_submit(*, acting_user: User, brief: MonthlyBrief) -> MonthlyBrief:
    current = _locked(acting_user, brief)
    check_state("reports.brief_submit", current)
    if not current.narrative.strip():
        raise ValidationError({"narrative": "请先填写本月工作概述。"})
    now = timezone.now()
    before = current.state
    current.state = S.SUBMITTED
    current.submitted_at = now
    current.submitted_by = acting_user
    if current.first_submitted_at is None:
        current.first_submitted_at = now
    current.figures = brief_figures(current.station, current.period)
    current.save()
    _audit(acting_user, current, {"state": {"before": before, "after": current.state}})
    return current


@declare(
    "reports.brief_review",
    label="乡镇审核通过",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.TOWNSHIP],
    state_field="state",
    states=[S.SUBMITTED],
)
@transaction.atomic
def brief_review(*, acting_user: User, brief: MonthlyBrief) -> MonthlyBrief:
    current = _locked(acting_user, brief)
    check_state("reports.brief_review", current)
    current.state = S.REVIEWED
    current.reviewed_at = timezone.now()
    current.reviewed_by = acting_user
    current.save()
    _audit(acting_user, current, {"state": {"before": S.SUBMITTED, "after": S.REVIEWED}})
    return current


def _return(spec: str, acting_user: User, brief: MonthlyBrief, comment: str) -> MonthlyBrief:
    current = _locked(acting_user, brief)
    check_state(spec, current)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回须写明修改意见。"})
    if len(comment) > TEXT_MAX:
        raise ValidationError({"comment": f"不能超过{TEXT_MAX}字。"})
    before = current.state
    current.state = S.RETURNED
    current.returned_at = timezone.now()
    current.returned_by = acting_user
    current.return_comment = comment
    current.save()
    _audit(acting_user, current, {"state": {"before": before, "after": S.RETURNED}, "return_comment": comment})
    return current


@declare(
    "reports.brief_return_township",
    label="乡镇退回修改",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.TOWNSHIP],
    state_field="state",
    states=[S.SUBMITTED],
)
@transaction.atomic
def brief_return_township(*, acting_user: User, brief: MonthlyBrief, comment: str) -> MonthlyBrief:
    return _return("reports.brief_return_township", acting_user, brief, comment)


@declare(
    "reports.brief_return_bureau",
    label="县民政局退回修改",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.COUNTY_BUREAU],
    state_field="state",
    states=[S.REVIEWED],
)
@transaction.atomic
def brief_return_bureau(*, acting_user: User, brief: MonthlyBrief, comment: str) -> MonthlyBrief:
    return _return("reports.brief_return_bureau", acting_user, brief, comment)


@declare(
    "reports.brief_accept",
    label="验收简报",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.COUNTY_BUREAU],
    state_field="state",
    states=[S.REVIEWED],
)
@transaction.atomic
def brief_accept(*, acting_user: User, brief: MonthlyBrief) -> MonthlyBrief:
    current = _locked(acting_user, brief)
    check_state("reports.brief_accept", current)
    current.state = S.ACCEPTED
    current.accepted_at = timezone.now()
    current.accepted_by = acting_user
    current.figures = brief_figures(current.station, current.period)
    current.save()
    _audit(acting_user, current, {"state": {"before": S.REVIEWED, "after": S.ACCEPTED}})
    return current


@declare(
    "reports.brief_unlock",
    label="开通限时修改",
    model=MonthlyBrief,
    verb=Action.CHANGE,
    roles=[Role.COUNTY_BUREAU],
    state_field="state",
    states=[S.ACCEPTED],
)
@transaction.atomic
def brief_unlock(*, acting_user: User, brief: MonthlyBrief, reason: str, expires_at: dt.datetime) -> BriefUnlock:
    """A lock exception: the agency may edit the accepted brief until ``expires_at``; audited with the reason."""
    current = _locked(acting_user, brief)
    check_state("reports.brief_unlock", current)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请写明开通修改的理由。"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"不能超过{REASON_MAX}字。"
    if expires_at is None or expires_at <= timezone.now():
        errors["expires_at"] = "有效期须晚于当前时间。"
    if errors:
        raise ValidationError(errors)
    unlock = BriefUnlock.objects.create(
        brief=current, division_id=current.division_id, reason=reason, expires_at=expires_at, granted_by=acting_user
    )
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=unlock,
        division_code=current.division_id,
        changes={"brief": current.pk, "reason": reason, "expires_at": expires_at},
    )
    return unlock


@declare(
    "reports.report_submit",
    label="报送报告",
    model=PeriodicReport,
    verb=Action.CHANGE,
    roles=[Role.AGENCY, Role.COUNTY_BUREAU],
    state_field="state",
    states=[PeriodicReport.State.DRAFT],
)
@transaction.atomic
def report_submit(*, acting_user: User, report: PeriodicReport, content: str) -> PeriodicReport:
    """The owing organisation hands in its report (the text of the report)."""
    current = (
        PeriodicReport.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(pk=report.pk).first()
    )
    if current is None:
        raise PermissionDenied("无权操作该报告。")
    check_state("reports.report_submit", current)
    if not acting_user.is_superuser and current.owner_id != acting_user.organisation_id:
        raise PermissionDenied("只有报送单位可以报送该报告。")
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": "请填写报告正文。"})
    if len(content) > 20000:
        raise ValidationError({"content": "不能超过20000字。"})
    current.content = content
    current.state = PeriodicReport.State.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = acting_user
    current.save()
    audit.record(
        acting_user=acting_user,
        event="update",
        obj=current,
        division_code=current.division_id,
        changes={"state": {"before": "draft", "after": "submitted"}},
    )
    return current
