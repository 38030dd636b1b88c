"""The funding page: the county's estimate table (经费测算表) with its Excel download, the spending categories
the policy allows or forbids, and the relief-fund cap for a base the bureau types in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.personal.exports import attachment
from core.xlsx import XLSX_TYPE, xlsx_bytes
from stations.models import Division
from stations.selectors import access_division

from .forms import EstimateForm
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
