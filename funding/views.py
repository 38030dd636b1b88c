"""The funding page: the county's estimate table (经费测算表) with its Excel download, the spending categories
the policy allows or forbids, and the relief-fund cap for a base the bureau types in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.actions import available_actions
from core.personal.exports import attachment
from core.scoping import Action
from core.xlsx import XLSX_TYPE, xlsx_bytes
from stations.models import Division, Station
from stations.selectors import access_division

from . import actions
from .forms import (
    BudgetLineFormSet,
    BudgetProposeForm,
    CareSubsidyForm,
    EstimateForm,
    ExpenditureForm,
    PayForm,
    ReliefBaseForm,
    ReturnForm,
    TranchesForm,
)
from .models import Budget, Disbursement, Expenditure, ReliefBase
from .policy import Estimate, categories, estimate, relief_cap, wan


def counties(user: User) -> list[Any]:
    """The counties in the user's reach (its own, those below it, or those of its stations), grouped by province
    when there are several (a national administrator picks from every county, 2,979 in all)."""
    rows = list(
        Division.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(level=Division.Level.COUNTY)
        .select_related("parent", "parent__parent")
        .order_by("code")[:4000]
    )
    provinces: dict[str, list[tuple[str, str]]] = {}
    for d in rows:
        city = d.parent
        province = city.parent.name if city is not None and city.parent is not None else ""
        city_name = city.name if city is not None and city.name not in ("市辖区", "县", "省直辖县级行政区划") else ""
        provinces.setdefault(province, []).append((d.code, f"{city_name}{d.name}"))
    if len(provinces) <= 1:
        return [choice for group in provinces.values() for choice in group]
    return list(provinces.items())


def estimate_xlsx(table: Estimate) -> bytes:
    """The table in the layout of Baisha's annex 2: 万元, a total row."""
    rows: list[list[object]] = [
        [r.number, r.name, r.workers, wan(r.labour), wan(r.operations), wan(r.total), r.note] for r in table.rows
    ]
    rows.append(["合计", "", table.workers, wan(table.labour), wan(table.operations), wan(table.total), ""])
    return xlsx_bytes(
        ["序号", "乡镇", "驻站社工（人）", "人力服务费用（万元）", "运营费用（万元）", "总经费（万元）", "备注"],
        rows,
        title=f"{table.division_name}社工站经费测算表",
        widths=[6, 16, 14, 20, 16, 16, 40],
    )


def estimate_pdf(table: Estimate, county: Division) -> bytes:
    """The same table as a Chinese PDF in the annex's layout (A4 landscape, 万元, a total row, the findings that
    name each rule and clause). Fonts are the system's Noto CJK faces, embedded as subsets; text selectable."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from policies.policy import effective_policy

    policy = effective_policy(county.code)
    keys = ("funding.station_labour", "funding.station_operations", "funding.station_total_min")
    sources = sorted({r.source.policy_name for k in keys if (r := policy.rules.get(k)) and r.source})
    html = render_to_string(
        "funding/estimate_pdf.html",
        {
            "title": f"{table.division_name}社会工作服务站经费测算表",
            "table": table,
            "county_policy": "、".join(sources) or "本县适用的实施方案",
            "printed": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf() or b""


class FundingView(LoginRequiredMixin, View):
    template_name = "funding/estimate.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        choices = counties(user)
        data = request.GET.copy() if request.GET else None
        if data is not None and "year" not in data:
            data["year"] = str(timezone.localdate().year + 1)
        if data is not None and data.get("division"):
            # A division outside the user's reach (or no division at all) answers 404, as the API and every page
            # that takes a division do; one in reach but not a county is the form's error.
            access_division(user, str(data.get("division")))
        form = EstimateForm(data, counties=choices)
        if data is None and len(choices) == 1 and isinstance(choices[0][1], str):
            form = EstimateForm({"division": choices[0][0], "year": timezone.localdate().year + 1}, counties=choices)
        context: dict[str, object] = {"form": form, "has_counties": bool(choices)}
        if form.is_bound and form.is_valid():
            county = access_division(user, form.cleaned_data["division"])
            table = estimate(county, form.cleaned_data["year"], form.cleaned_data.get("stations"), user=user)
            stamp = timezone.localdate().strftime("%Y%m%d")
            if request.GET.get("export") == "xlsx" and table.total is not None:
                return attachment(estimate_xlsx(table), f"{county.name}经费测算表-{table.year}-{stamp}.xlsx", XLSX_TYPE)
            if request.GET.get("export") == "pdf" and table.total is not None:
                return attachment(
                    estimate_pdf(table, county), f"{county.name}经费测算表-{table.year}-{stamp}.pdf", "application/pdf"
                )
            context.update(
                county=county,
                table=table,
                categories=categories(county.code),
                cap=relief_cap(county.code, form.cleaned_data["base"])
                if form.cleaned_data.get("base") is not None
                else None,
                export_query=request.GET.urlencode(),
            )
        return render(request, self.template_name, context)


# --- budgets, spending, disbursements -------------------------------------------------------------------------------


def _may(user: User, model: type[Any], verb: str) -> bool:
    from core.scoping import scope_of

    return bool(model.scoping.may(scope_of(user).role, verb))


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(str(m) for m in exc.messages))


class BudgetListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        year = _year(request)
        budgets = (
            Budget.objects.for_user(user)  # type: ignore[attr-defined]
            .filter(year=year)
            .select_related("station", "station__division")
            .annotate(
                total=Coalesce(Sum("lines__amount"), Value(Decimal("0.00")), output_field=DecimalField()),
            )
            .order_by("station__division_id", "pk")
        )
        spent = dict(
            Expenditure.objects.for_user(user)  # type: ignore[attr-defined]
            .filter(budget__year=year, status__in=[Expenditure.Status.RECORDED, Expenditure.Status.APPROVED])
            .values_list("budget_id")
            .annotate(s=Sum("amount"))
            .values_list("budget_id", "s")
        )
        rows = [(b, spent.get(b.pk, Decimal("0.00"))) for b in budgets[:500]]
        return render(
            request,
            "funding/budget_list.html",
            {
                "rows": rows,
                "year": year,
                "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
                "may_add": _may(user, Budget, Action.ADD),
            },
        )


def _stations(user: User) -> Any:
    return (
        Station.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(level=Station.Level.TOWNSHIP)
        .exclude(status=Station.Status.CLOSED)
        .order_by("division_id")
    )


class BudgetCreateView(LoginRequiredMixin, View):
    template = "funding/budget_form.html"

    def _guard(self, request: HttpRequest) -> User:
        user = authed_user(request)
        if not _may(user, Budget, Action.ADD):
            raise Http404("未找到。")
        return user

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self._guard(request)
        return render(request, self.template, {"form": BudgetProposeForm(stations=_stations(user))})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self._guard(request)
        form = BudgetProposeForm(request.POST, stations=_stations(user))
        if form.is_valid():
            first = form.cleaned_data["first_year"]
            try:
                budget = actions.budget_propose(
                    acting_user=user,
                    station=form.cleaned_data["station"],
                    year=form.cleaned_data["year"],
                    first_year=None if first == "" else first == "1",
                )
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "已按政策标准编制预算草稿，请核对后批准。")
                return redirect(budget.get_absolute_url())
        return render(request, self.template, {"form": form}, status=400)


def _budget(user: User, pk: int, verb: str = Action.VIEW) -> Budget:
    budget = Budget.objects.for_user(user, verb).select_related("station", "station__division").filter(pk=pk).first()  # type: ignore[attr-defined]
    if budget is None:
        raise Http404("未找到。")
    return budget


class BudgetDetailView(LoginRequiredMixin, View):
    template = "funding/budget_detail.html"

    def context(self, request: HttpRequest, budget: Budget) -> dict[str, Any]:
        from .budgets import approval_findings, line_totals, totals

        user = authed_user(request)
        allowed = {a["action"] for a in available_actions(user, budget)}
        total, labour = totals(budget)
        # A draft shows what approval would check now; an approved budget what was checked when it was approved.
        findings = approval_findings(budget) if budget.status == Budget.Status.DRAFT else budget.findings
        return {
            "budget": budget,
            "lines": line_totals(budget),
            "total": total,
            "labour": labour,
            "findings": findings,
            "kept": budget.findings,
            "allowed": allowed,
            "expenditures": Expenditure.objects.for_user(user)  # type: ignore[attr-defined]
            .filter(budget=budget)
            .select_related("line")
            .order_by("-spent_on", "-pk")[:200],
            "may_spend": budget.status == Budget.Status.APPROVED and _may(user, Expenditure, Action.ADD),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        budget = _budget(authed_user(request), pk)
        return render(request, self.template, self.context(request, budget))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        budget = _budget(user, pk)
        if request.POST.get("do") != "approve":
            raise Http404("未找到。")
        try:
            actions.budget_approve(acting_user=user, budget=budget)
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _fail(request, exc)
            return render(request, self.template, self.context(request, budget), status=400)
        messages.success(request, "预算已批准。")
        return redirect(budget.get_absolute_url())


class BudgetEditView(LoginRequiredMixin, View):
    template = "funding/budget_edit.html"

    def _budget(self, request: HttpRequest, pk: int) -> Budget:
        budget = _budget(authed_user(request), pk, Action.CHANGE)
        if budget.status != Budget.Status.DRAFT:
            raise Http404("未找到。")
        return budget

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        budget = self._budget(request, pk)
        initial = [
            {"kind": x.kind, "category": x.category, "source": x.source, "amount": x.amount, "note": x.note}
            for x in budget.lines.order_by("kind", "pk")
        ]
        return render(request, self.template, {"budget": budget, "formset": BudgetLineFormSet(initial=initial)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        budget = self._budget(request, pk)
        formset = BudgetLineFormSet(request.POST)
        if formset.is_valid():
            lines = [
                {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                actions.budget_update(acting_user=authed_user(request), budget=budget, lines=lines)
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "预算科目已保存。")
                return redirect(budget.get_absolute_url())
        return render(request, self.template, {"budget": budget, "formset": formset}, status=400)


class ExpenditureCreateView(LoginRequiredMixin, View):
    template = "funding/expenditure_form.html"

    def _form(self, request: HttpRequest, budget: Budget, *args: Any) -> ExpenditureForm:
        from .budgets import allowed_categories

        return ExpenditureForm(
            *args,
            lines=budget.lines.order_by("kind", "pk"),
            categories=allowed_categories(budget.station.division_id, budget.first_year),
        )

    def _budget(self, request: HttpRequest, pk: int) -> Budget:
        user = authed_user(request)
        budget = _budget(user, pk)
        if budget.status != Budget.Status.APPROVED or not _may(user, Expenditure, Action.ADD):
            raise Http404("未找到。")
        return budget

    def _context(self, budget: Budget, form: ExpenditureForm) -> dict[str, Any]:
        from .budgets import category_verdict

        division = budget.station.division_id
        refused = [category_verdict(division, c["code"], budget.first_year) for c in categories(division)]
        return {"budget": budget, "form": form, "refused": [v for v in refused if v.allowed is False]}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        budget = self._budget(request, pk)
        return render(request, self.template, self._context(budget, self._form(request, budget)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        budget = self._budget(request, pk)
        form = self._form(request, budget, request.POST, request.FILES)
        if form.is_valid():
            try:
                row = actions.expenditure_record(acting_user=authed_user(request), budget=budget, **form.cleaned_data)
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "支出已登记，等待县民政局审核。")
                return redirect(row.get_absolute_url())
        return render(request, self.template, self._context(budget, form), status=400)


class ExpenditureListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        status = request.GET.get("status", "")
        rows = (
            Expenditure.objects.for_user(user)  # type: ignore[attr-defined]
            .select_related("budget__station", "line")
            .order_by("-spent_on", "-pk")
        )
        if status in Expenditure.Status.values:
            rows = rows.filter(status=status)
        return render(
            request,
            "funding/expenditure_list.html",
            {"rows": rows[:300], "status": status, "statuses": Expenditure.Status.choices},
        )


class ExpenditureDetailView(LoginRequiredMixin, View):
    template = "funding/expenditure_detail.html"

    def _row(self, request: HttpRequest, pk: int) -> Expenditure:
        row = (
            Expenditure.objects.for_user(authed_user(request))  # type: ignore[attr-defined]
            .select_related("budget__station", "line", "recorded_by", "decided_by")
            .filter(pk=pk)
            .first()
        )
        if row is None:
            raise Http404("未找到。")
        return row

    def context(self, request: HttpRequest, row: Expenditure, form: Any = None) -> dict[str, Any]:
        allowed = {a["action"] for a in available_actions(authed_user(request), row)}
        return {"row": row, "allowed": allowed, "return_form": form or ReturnForm()}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self._row(request, pk)
        return render(request, self.template, self.context(request, row))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        row = self._row(request, pk)
        do = request.POST.get("do")
        form = None
        try:
            if do == "approve":
                actions.expenditure_approve(acting_user=user, expenditure=row)
            elif do == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    return render(request, self.template, self.context(request, row, form), status=400)
                actions.expenditure_return(acting_user=user, expenditure=row, note=form.cleaned_data["note"])
            else:
                raise Http404("未找到。")
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _fail(request, exc)
            return render(request, self.template, self.context(request, row, form), status=400)
        messages.success(request, "已保存。")
        return redirect(row.get_absolute_url())


class ReceiptView(LoginRequiredMixin, View):
    """GET: the stored receipt, only for a spending the caller may see (others: 404)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        row = Expenditure.objects.for_user(authed_user(request)).filter(pk=pk).first()  # type: ignore[attr-defined]
        if row is None:
            raise Http404("未找到。")
        try:
            handle = row.receipt.open("rb")
        except FileNotFoundError:
            raise Http404("文件不存在。") from None
        response = FileResponse(handle, content_type=row.receipt_type)
        response["Content-Disposition"] = f'inline; filename="receipt-{row.pk}.{row.receipt_extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ReliefBaseView(LoginRequiredMixin, View):
    template = "funding/relief_bases.html"

    def context(self, request: HttpRequest, form: Any = None) -> dict[str, Any]:
        user = authed_user(request)
        may = _may(user, ReliefBase, Action.ADD)
        return {
            "rows": ReliefBase.objects.for_user(user).select_related("division").order_by("-year", "division_id")[:200],  # type: ignore[attr-defined]
            "form": (form or ReliefBaseForm(counties=counties(user))) if may else None,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        if not _may(user, ReliefBase, Action.ADD):
            raise Http404("未找到。")
        form = ReliefBaseForm(request.POST, counties=counties(user))
        if form.is_valid():
            try:
                actions.relief_base_set(
                    acting_user=user,
                    division=access_division(user, form.cleaned_data["division"]),
                    year=form.cleaned_data["year"],
                    amount=form.cleaned_data["amount"],
                    document=form.cleaned_data["document"],
                )
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "计算基数已保存。")
                return redirect("funding:relief-bases")
        return render(request, self.template, self.context(request, form), status=400)


class DisbursementListView(LoginRequiredMixin, View):
    template = "funding/disbursement_list.html"

    def context(self, request: HttpRequest, **forms_: Any) -> dict[str, Any]:
        from contracts.models import Contract

        user = authed_user(request)
        year = _year(request)
        may = _may(user, Disbursement, Action.ADD)
        townships = (
            Division.objects.for_user(user)  # type: ignore[attr-defined]
            .filter(level=Division.Level.TOWNSHIP)
            .order_by("code")
        )
        contracts = Contract.objects.for_user(user).filter(payments__isnull=False).distinct().order_by("-start_date")  # type: ignore[attr-defined]
        return {
            "rows": Disbursement.objects.for_user(user)  # type: ignore[attr-defined]
            .filter(year=year)
            .select_related("division", "contract", "station")
            .order_by("division_id", "kind", "sequence")[:500],
            "year": year,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
            "tranches_form": forms_.get("tranches") or (TranchesForm(contracts=contracts) if may else None),
            "care_form": forms_.get("care")
            or (CareSubsidyForm(townships=townships, per_year=_per_year(user)) if may else None),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        from contracts.models import Contract

        user = authed_user(request)
        if not _may(user, Disbursement, Action.ADD):
            raise Http404("未找到。")
        do = request.POST.get("do")
        try:
            if do == "tranches":
                contracts = Contract.objects.for_user(user).filter(payments__isnull=False).distinct()  # type: ignore[attr-defined]
                form: Any = TranchesForm(request.POST, contracts=contracts)
                if not form.is_valid():
                    return render(request, self.template, self.context(request, tranches=form), status=400)
                actions.tranches_plan(acting_user=user, contract=form.cleaned_data["contract"])
            elif do == "care":
                townships = Division.objects.for_user(user).filter(level=Division.Level.TOWNSHIP)  # type: ignore[attr-defined]
                form = CareSubsidyForm(request.POST, townships=townships, per_year=_per_year(user))
                if not form.is_valid():
                    return render(request, self.template, self.context(request, care=form), status=400)
                actions.care_subsidy_plan(
                    acting_user=user,
                    township=form.cleaned_data["township"],
                    year=form.cleaned_data["year"],
                    half=int(form.cleaned_data["half"]),
                    due_date=form.cleaned_data["due_date"],
                )
            else:
                raise Http404("未找到。")
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _fail(request, exc)
            return render(request, self.template, self.context(request), status=400)
        messages.success(request, "拨付计划已登记。")
        return redirect("funding:disbursement-list")


def _per_year(user: User) -> int | None:
    """The care subsidy's instalments a year (``funding.disbursements_per_year``) where every county of the user's
    reach sets the same number; None where they differ or none sets it (each township's policy then decides in
    ``funding.care_subsidy_plan``)."""
    from staffing.selectors import effective_policies

    county_codes = (
        Division.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(level=Division.Level.COUNTY)
        .values_list("code", flat=True)[:4000]
    )
    values = {p.get("funding.disbursements_per_year") for p in effective_policies(sorted(county_codes)).values()}
    return int(next(iter(values))) if len(values) == 1 and None not in values else None


class DisbursementDetailView(LoginRequiredMixin, View):
    template = "funding/disbursement_detail.html"

    def _row(self, request: HttpRequest, pk: int) -> Disbursement:
        row = (
            Disbursement.objects.for_user(authed_user(request))  # type: ignore[attr-defined]
            .select_related("division", "contract", "station")
            .filter(pk=pk)
            .first()
        )
        if row is None:
            raise Http404("未找到。")
        return row

    def context(self, request: HttpRequest, row: Disbursement, form: Any = None) -> dict[str, Any]:
        from services.models import Beneficiary

        allowed = {a["action"] for a in available_actions(authed_user(request), row)}
        levels = dict(Beneficiary.SelfCare.choices)
        persons = row.computation.get("persons", {})
        rates = row.computation.get("rates", {})
        detail = [(levels.get(k, k), n, rates.get(k)) for k, n in persons.items()]
        return {"row": row, "allowed": allowed, "pay_form": form or PayForm(), "detail": detail}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self._row(request, pk)
        return render(request, self.template, self.context(request, row))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self._row(request, pk)
        form = PayForm(request.POST)
        if request.POST.get("do") != "pay":
            raise Http404("未找到。")
        if not form.is_valid():
            return render(request, self.template, self.context(request, row, form), status=400)
        try:
            actions.disbursement_pay(acting_user=authed_user(request), disbursement=row, **form.cleaned_data)
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _fail(request, exc)
            return render(request, self.template, self.context(request, row, form), status=400)
        messages.success(request, "已登记拨付。")
        return redirect(row.get_absolute_url())
