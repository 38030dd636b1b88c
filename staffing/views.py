"""Pages: workers (agency manages; township its stations' team; bureau its subtree; evaluator its grants),
screening a candidate, staffing adequacy and planning, roster import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.audit import client_ip
from core.personal import access as personal_access
from core.personal.idnumber import parse_id_number
from core.personal.views import ClearExportView, UnmaskView
from core.scoping import Action
from core.views import ScopedListView
from stations.models import Division, Station
from stations.selectors import access_station

from . import actions, roster
from .employment import worker_context
from .forms import (
    AcknowledgeForm,
    AssignForm,
    CertificateForm,
    ImportForm,
    LabourContractForm,
    PayForm,
    PlanForm,
    RecruitmentPlanForm,
    ReleaseForm,
    ScreeningForm,
    TrainingForm,
    WageForm,
    WorkerForm,
)
from .models import Assignment, AverageWage, RecruitmentPlan, Replacement, SocialWorker
from .policy import Candidate, eligibility, requirement
from .selectors import (
    access_plan,
    access_worker,
    current_assignments,
    plan_basis,
    plan_stations,
    recruitment_plans,
    station_adequacy,
    team_of,
    village_count,
    workers_for,
)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field.removesuffix("_id")
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class WorkerListView(ScopedListView):
    model = SocialWorker
    template_name = "staffing/worker_list.html"
    context_object_name = "workers"

    def get_queryset(self) -> Any:
        qs = workers_for(authed_user(self.request))
        status = self.request.GET.get("status")
        if status in SocialWorker.Status.values:
            qs = qs.filter(status=status)
        return qs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            workers = self.get_queryset()
            personal_access.record_masked_export(
                acting_user=request.user, model=SocialWorker, count=workers.count(), ip=client_ip(request)
            )
            return roster.export_response(workers, clear=False)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        context["can_add"] = personal_access.may_take(user, SocialWorker, Action.ADD)
        context["can_export_clear"] = personal_access.may_take(user, SocialWorker, Action.EXPORT)
        context["statuses"] = SocialWorker.Status.choices
        return context


def _open_duties(user: User, worker: SocialWorker) -> list[Any]:
    """The worker's open obligations the user sees (contract, pay, training, certificate …), soonest first."""
    from django.contrib.contenttypes.models import ContentType

    from obligations.models import Obligation

    return list(
        Obligation.objects.for_user(user)
        .filter(
            content_type=ContentType.objects.get_for_model(SocialWorker),
            object_id=worker.pk,
            state__in=Obligation.OPEN_STATES,
        )
        .select_related("owner")
        .order_by("due_date", "pk")[:50]
    )


class WorkerDetailView(LoginRequiredMixin, View):
    template_name = "staffing/worker_detail.html"

    def context(self, request: HttpRequest, worker: SocialWorker, **forms: Any) -> dict[str, Any]:
        user = authed_user(request)
        may_change = SocialWorker.objects.for_user(user, Action.CHANGE).filter(pk=worker.pk).exists()
        stations = Station.objects.for_user(user).filter(level__in=["township", "village", "regional", "county_hq"])
        successors = (
            SocialWorker.objects.for_user(user, Action.CHANGE)
            .filter(status=SocialWorker.Status.EMPLOYED, station__isnull=True)
            .exclude(pk=worker.pk)
        )
        assignments = list(worker.assignments.select_related("station").order_by("-start_date", "-pk"))
        replacements = list(
            Replacement.objects.filter(outgoing__worker=worker).select_related("incoming__worker", "station")
        )
        return {
            "worker": worker,
            "certificates": list(worker.certificates.order_by("obtained_on")),
            "assignments": assignments,
            "replacements": replacements,
            "open_assignment": next((a for a in assignments if a.end_date is None), None),
            "may_change": may_change,
            "can_unmask": SocialWorker.objects.for_user(user, Action.UNMASK).filter(pk=worker.pk).exists(),
            "assign_form": forms.get("assign_form") or AssignForm(stations=stations, prefix="assign"),
            "release_form": forms.get("release_form") or ReleaseForm(successors=successors, prefix="release"),
            "certificate_form": forms.get("certificate_form") or CertificateForm(prefix="cert"),
            "stations": stations,
            "successors": successors,
            "contract_form": forms.get("contract_form") or LabourContractForm(prefix="lc"),
            "pay_form": forms.get("pay_form") or PayForm(prefix="pay"),
            "training_form": forms.get("training_form") or TrainingForm(prefix="tr"),
            "contracts": list(worker.labour_contracts.order_by("-start_date")),
            "pays": list(worker.pay_records.order_by("-month")[:24]),
            "trainings": list(worker.trainings.order_by("-date")[:50]),
            "duties": _open_duties(user, worker),
            **worker_context(worker, timezone.localdate()),
        }

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        worker = access_worker(authed_user(request), public_id)
        return render(request, self.template_name, self.context(request, worker))

    def post(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        worker = access_worker(authed_user(request), public_id, Action.CHANGE)
        ctx = self.context(request, worker)
        which = request.POST.get("do")
        form: Any = None
        try:
            if which == "assign":
                form = AssignForm(request.POST, stations=ctx["stations"], prefix="assign")
                if form.is_valid():
                    actions.worker_assign(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已派驻到站。")
                    return redirect(worker.get_absolute_url())
                ctx["assign_form"] = form
            elif which == "release":
                form = ReleaseForm(request.POST, successors=ctx["successors"], prefix="release")
                if form.is_valid():
                    actions.worker_release(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已办理离岗。")
                    return redirect(worker.get_absolute_url())
                ctx["release_form"] = form
            elif which == "certificate":
                form = CertificateForm(request.POST, prefix="cert")
                if form.is_valid():
                    actions.certificate_add(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已登记证书。")
                    return redirect(worker.get_absolute_url())
                ctx["certificate_form"] = form
            elif which == "contract":
                form = LabourContractForm(request.POST, prefix="lc")
                if form.is_valid():
                    actions.labour_contract_add(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已登记劳动合同。")
                    return redirect(worker.get_absolute_url())
                ctx["contract_form"] = form
            elif which == "pay":
                form = PayForm(request.POST, prefix="pay")
                if form.is_valid():
                    actions.pay_add(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已登记工资与社保。")
                    return redirect(worker.get_absolute_url())
                ctx["pay_form"] = form
            elif which == "training":
                form = TrainingForm(request.POST, prefix="tr")
                if form.is_valid():
                    actions.training_add(acting_user=authed_user(request), worker=worker, **form.cleaned_data)
                    messages.success(request, "已登记培训与督导。")
                    return redirect(worker.get_absolute_url())
                ctx["training_form"] = form
            else:
                raise Http404("未找到。")
        except PermissionDenied:
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _form_errors(form, exc)
        return render(request, self.template_name, ctx, status=400)


class WorkerCreateView(LoginRequiredMixin, View):
    template_name = "staffing/worker_form.html"

    def allowed(self, request: HttpRequest) -> None:
        if not personal_access.may_take(request.user, SocialWorker, Action.ADD):
            raise Http404("未找到。")

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        return render(request, self.template_name, {"form": WorkerForm(), "title": "登记驻站社工"})

    def post(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        form = WorkerForm(request.POST)
        if form.is_valid():
            try:
                worker = actions.worker_create(acting_user=authed_user(request), data=form.data_for_action())
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect(worker.get_absolute_url())
        return render(request, self.template_name, {"form": form, "title": "登记驻站社工"}, status=400)


class WorkerEditView(LoginRequiredMixin, View):
    template_name = "staffing/worker_form.html"

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        worker = access_worker(authed_user(request), public_id, Action.CHANGE)
        initial = {
            "name": worker.name,
            "education": worker.education,
            "major": worker.major,
            "social_work_major": worker.social_work_major,
            "graduation_year": worker.graduation_year,
            "household_division": worker.household_division_id or "",
            "hired_on": worker.hired_on,
        }
        form = WorkerForm(initial=initial)
        form.fields["id_number"].required = False
        form.fields["id_number"].help_text = f"当前：{worker.masked('id_number')}；不修改请留空"
        form.fields["phone"].help_text = f"当前：{worker.masked('phone') or '未填'}；不修改请留空"
        return render(request, self.template_name, {"form": form, "title": f"修改：{worker.name}", "worker": worker})

    def post(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        worker = access_worker(authed_user(request), public_id, Action.CHANGE)
        form = WorkerForm(request.POST)
        form.fields["id_number"].required = False
        if form.is_valid():
            data = form.data_for_action()
            for secret in ("id_number", "phone"):
                if not data.get(secret):
                    data.pop(secret, None)
            try:
                actions.worker_update(acting_user=authed_user(request), worker=worker, data=data)
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect(worker.get_absolute_url())
        return render(request, self.template_name, {"form": form, "title": f"修改：{worker.name}"}, status=400)


class WorkerUnmaskView(UnmaskView):
    model = SocialWorker


class WorkerClearExportView(ClearExportView):
    """The roster in clear: the employer agency and the county bureau, after a stated reason; audited per person."""

    model = SocialWorker
    template_name = "staffing/worker_export.html"

    def get_objects(self, request: HttpRequest) -> Any:
        return workers_for(authed_user(request), Action.EXPORT)

    def render_export(self, exported: list[Any]) -> HttpResponse:
        return roster.export_response(exported, clear=True)


def _townships(user: User) -> list[tuple[str, str]]:
    rows = (
        Division.objects.for_user(user)
        .filter(level=Division.Level.TOWNSHIP)
        .select_related("parent")
        .order_by("code")[:3000]
    )
    return [(d.code, f"{d.parent.name if d.parent else ''}{d.name}") for d in rows]


class ScreeningView(LoginRequiredMixin, View):
    """Screen a candidate before hiring: every rule with the facts compared and the clause (nothing stored)."""

    template_name = "staffing/screening.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ScreeningForm(townships=_townships(authed_user(request)), initial={"on": timezone.localdate()})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScreeningForm(request.POST, townships=_townships(authed_user(request)))
        result = None
        birth = None
        if form.is_valid():
            d = form.cleaned_data
            birth = d.get("birth_date")
            if d.get("id_number"):
                try:
                    birth = parse_id_number(d["id_number"]).birth_date
                except ValidationError as exc:
                    form.add_error("id_number", exc.messages)
            if not form.errors:
                major = d.get("major") or ""
                result = eligibility(
                    Candidate(
                        division=d["division"],
                        on=d.get("on") or timezone.localdate(),
                        birth_date=birth,
                        education=d["education"],
                        major=major,
                        social_work_major=d.get("social_work_major") or "社会工作" in major,
                        certificate_level=d.get("certificate_level") or None,
                        certificate_date=d.get("certificate_date"),
                        household_division=d.get("household_division") or "",
                        employment=d["employment"],
                        experience_months=d.get("experience_months"),
                        graduation_year=d.get("graduation_year"),
                    )
                )
        if result is not None and request.POST.get("format") == "pdf":
            from core.personal.exports import pdf_response

            names = dict(_townships(authed_user(request)))
            return pdf_response(
                "驻站社工资格审查.pdf",
                "staffing/screening_pdf.html",
                {
                    "result": result,
                    "place": names.get(form.cleaned_data["division"], ""),
                    "on": form.cleaned_data.get("on") or timezone.localdate(),
                    "birth": birth,
                    "now": timezone.now(),
                },
            )
        # The ID number is never echoed back.
        cleaned_post = request.POST.copy()
        cleaned_post["id_number"] = ""
        form.data = cleaned_post
        response = render(request, self.template_name, {"form": form, "result": result}, status=200 if result else 400)
        response["Cache-Control"] = "no-store"
        return response


class AdequacyView(LoginRequiredMixin, View):
    """Every township station in the user's reach against its policy, and a planner for a township."""

    template_name = "staffing/adequacy.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        stations = list(
            Station.objects.for_user(user)
            .filter(level=Station.Level.TOWNSHIP)
            .exclude(status=Station.Status.CLOSED)
            .order_by("division_id")[:2000]
        )
        rows = station_adequacy(stations)
        townships = _townships(user)
        plan = None
        form = PlanForm(request.GET or None, townships=townships)
        if request.GET and form.is_valid():
            code = form.cleaned_data["division"]
            villages = form.cleaned_data.get("villages")
            plan = requirement(code, villages if villages is not None else village_count(code))
        return render(request, self.template_name, {"rows": rows, "form": form, "plan": plan})


class StationTeamView(LoginRequiredMixin, View):
    template_name = "staffing/station_team.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        station = access_station(user, pk)
        today = timezone.localdate()
        members = current_assignments([station.pk], today).get(station.pk, [])
        visible = set(
            SocialWorker.objects.for_user(user)
            .filter(pk__in=[a.worker_id for a in members])
            .values_list("pk", flat=True)
        )
        ((_, _, result, villages),) = (
            station_adequacy([station], today) if station.level == "township" else ((None, None, None, None),)
        )
        history = list(
            Assignment.objects.filter(station=station)
            .select_related("worker")
            .filter(end_date__isnull=False)
            .order_by("-end_date")[:50]
        )
        return render(
            request,
            self.template_name,
            {
                "station": station,
                "members": members,
                "visible": visible,
                "result": result,
                "villages": villages,
                "history": history,
                "team": team_of(members, today),
            },
        )


class RosterTemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not personal_access.may_take(request.user, SocialWorker, Action.ADD):
            raise Http404("未找到。")
        return roster.template_response()


class RosterImportView(LoginRequiredMixin, View):
    template_name = "staffing/import.html"

    def allowed(self, request: HttpRequest) -> None:
        if not personal_access.may_take(request.user, SocialWorker, Action.ADD):
            raise Http404("未找到。")

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        return render(request, self.template_name, {"form": ImportForm(), "limits": roster.LIMITS})

    def post(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        form = ImportForm(request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            try:
                created = actions.roster_import(acting_user=authed_user(request), upload=form.cleaned_data["file"])
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已导入 {len(created)} 名社工。")
                return redirect("staffing:worker-list")
        return render(
            request, self.template_name, {"form": form, "errors": errors, "limits": roster.LIMITS}, status=400
        )


class WageListView(LoginRequiredMixin, View):
    """The county average wages the user may see; the county bureau records its own."""

    template_name = "staffing/wages.html"

    def context(self, request: HttpRequest, form: Any = None) -> dict[str, Any]:
        user = authed_user(request)
        may_set = (
            personal_access.may_take(user, AverageWage, Action.ADD)
            and len(getattr(getattr(user, "organisation", None), "division_id", "") or "") == 6
        )
        rows = AverageWage.objects.for_user(user).select_related("division").order_by("division_id", "-year")[:500]
        return {"rows": rows, "form": form or (WageForm() if may_set else None), "may_set": may_set}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WageForm(request.POST)
        if form.is_valid():
            try:
                actions.average_wage_set(acting_user=authed_user(request), **form.cleaned_data)
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("staffing:wages")
        return render(request, self.template_name, self.context(request, form), status=400)


# --- recruitment plans filed with the county bureau [000 §6(3)] ---------------------------------------------------


def _plan_form(user: User, data: Any = None, initial: dict[str, Any] | None = None) -> RecruitmentPlanForm:
    codes = actions.plan_counties(user)
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    stations = Station.objects.for_user(user).filter(division__code__regex=r"^(" + "|".join(codes or ["-"]) + r")")
    return RecruitmentPlanForm(
        data,
        initial=initial,
        counties=[(c, names.get(c, c)) for c in codes],
        stations=stations.order_by("division_id", "pk"),
    )


class RecruitmentPlanListView(LoginRequiredMixin, View):
    """An agency's plans (drafts included); a bureau's filed plans of its subtree."""

    template_name = "staffing/recruitment_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        plans = recruitment_plans(user).select_related("agency", "division").order_by("-year", "division_id", "pk")
        may_add = personal_access.may_take(user, RecruitmentPlan, Action.ADD)
        return render(request, self.template_name, {"plans": plans[:500], "may_add": may_add})


class RecruitmentPlanCreateView(LoginRequiredMixin, View):
    template_name = "staffing/recruitment_form.html"

    def allowed(self, request: HttpRequest) -> User:
        user = authed_user(request)
        if not personal_access.may_take(user, RecruitmentPlan, Action.ADD):
            raise Http404("未找到。")
        return user

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self.allowed(request)
        form = _plan_form(user, initial={"year": timezone.localdate().year})
        return render(request, self.template_name, {"form": form, "title": "制定驻站社工招聘方案"})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self.allowed(request)
        form = _plan_form(user, request.POST)
        if form.is_valid():
            data, stations = form.plan_data()
            try:
                plan = actions.recruitment_plan_create(acting_user=user, data=data, stations=stations)
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "招聘方案已保存为草稿；确认无误后请报县民政局备案。")
                return redirect(plan)
        return render(request, self.template_name, {"form": form, "title": "制定驻站社工招聘方案"}, status=400)


class RecruitmentPlanDetailView(LoginRequiredMixin, View):
    template_name = "staffing/recruitment_detail.html"

    def context(self, user: User, plan: RecruitmentPlan, ack_form: Any = None) -> dict[str, Any]:
        from core.actions import available_actions

        allowed = {a["action"] for a in available_actions(user, plan)}
        stations, others = plan_stations(user, plan)
        return {
            "plan": plan,
            "stations": stations,
            "other_stations": others,
            "basis": plan_basis(plan.division_id),
            "may_edit": "staffing.recruitment_plan.update" in allowed,
            "may_file": "staffing.recruitment_plan.file" in allowed,
            "may_acknowledge": "staffing.recruitment_plan.acknowledge" in allowed
            and getattr(user.organisation, "division_id", None) == plan.division_id,
            "ack_form": ack_form or AcknowledgeForm(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        plan = access_plan(user, pk)
        return render(request, self.template_name, self.context(user, plan))


class RecruitmentPlanEditView(LoginRequiredMixin, View):
    """The agency changes its draft (a filed plan stays as filed)."""

    template_name = "staffing/recruitment_form.html"

    def plan(self, request: HttpRequest, pk: int) -> tuple[User, RecruitmentPlan]:
        user = authed_user(request)
        if not personal_access.may_take(user, RecruitmentPlan, Action.ADD):  # the agencies (the bureau only reads)
            raise Http404("未找到。")
        return user, access_plan(user, pk, Action.CHANGE)

    def render_form(self, request: HttpRequest, plan: RecruitmentPlan, form: Any, status: int = 200) -> HttpResponse:
        ctx = {
            "form": form,
            "title": f"修改：{plan}",
            "plan": plan,
            "locked": plan.state != RecruitmentPlan.State.DRAFT,
        }
        return render(request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user, plan = self.plan(request, pk)
        initial = {
            **{f: getattr(plan, f) for f in actions.PLAN_FIELDS if f != "division_id"},
            "division": plan.division_id,
            "stations": list(plan.stations.all()),
        }
        return self.render_form(request, plan, _plan_form(user, initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user, plan = self.plan(request, pk)
        form = _plan_form(user, request.POST)
        if form.is_valid():
            data, stations = form.plan_data()
            try:
                actions.recruitment_plan_update(acting_user=user, plan=plan, data=data, stations=stations)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect(plan)
        return self.render_form(request, plan, form, status=400)


class RecruitmentPlanFileView(LoginRequiredMixin, View):
    """POST: the agency files its draft with the county bureau."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        plan = access_plan(user, pk, Action.CHANGE)
        try:
            actions.recruitment_plan_file(acting_user=user, plan=plan)
        except PermissionDenied as exc:
            if not recruitment_plans(user, Action.CHANGE).filter(pk=plan.pk, agency_id=user.organisation_id).exists():
                raise Http404("未找到。") from None
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已报县民政局备案。")
        return redirect(plan)


class RecruitmentPlanAcknowledgeView(LoginRequiredMixin, View):
    """POST: the county bureau acknowledges a filed plan of its county."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        plan = access_plan(user, pk, Action.CHANGE)
        form = AcknowledgeForm(request.POST)
        if not form.is_valid():
            ctx = RecruitmentPlanDetailView().context(user, plan, ack_form=form)
            return render(request, RecruitmentPlanDetailView.template_name, ctx, status=400)
        try:
            actions.recruitment_plan_acknowledge(acting_user=user, plan=plan, note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            if plan.state == RecruitmentPlan.State.FILED:
                raise Http404("未找到。") from None  # not this county's bureau
            messages.error(request, str(exc))
        else:
            messages.success(request, "已确认备案。")
        return redirect(plan)
