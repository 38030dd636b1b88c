"""Pages for procurements and agreements: lists and details through ``for_user``; transitions through the
declared actions (the same ones the API calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from core.actions import available_actions, spec_of
from core.scoping import Action, Role, scope_of
from core.views import ScopedDetailView, ScopedListView
from stations.models import Station

from . import actions
from .deadlines import calendar_note, contract_deadlines
from .filtersets import ContractFilterSet
from .models import Amendment, Bidder, Contract, ContractDocument, Procurement
from .procurement import ocds_method
from .selectors import access_contract

# Page transitions: action name -> (function, the form fields it takes)
TRANSITION_FORMS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "contracts.sign": (actions.contract_sign, ("signed_date",)),
    "contracts.file": (actions.contract_file, ("filed_date", "filed_with")),
    "contracts.activate": (actions.contract_activate, ()),
    "contracts.expire": (actions.contract_expire, ()),
    "contracts.terminate": (actions.contract_terminate, ("terminated_date", "reason")),
}
DATE_FIELDS = {"signed_date", "filed_date", "terminated_date"}


class ContractListView(ScopedListView):
    model = Contract
    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Contract]:
        scoped = super().get_queryset().select_related("division", "agency", "township", "buyer")
        data = {k: v for k, v in self.request.GET.items() if k in {"state", "year", "q"} and v}
        filterset = ContractFilterSet(data=data, queryset=scoped)
        qs = filterset.qs if filterset.is_valid() else scoped.none()
        return qs.order_by("-start_date", "number")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            # The list's rows (same scope and filters, every page) as the Excel register.
            from .register import register_xlsx

            response = HttpResponse(
                register_xlsx(self.get_queryset()),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%9C%8D%E5%8A%A1%E5%8D%8F%E8%AE%AE.xlsx"
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["f"] = {k: self.request.GET.get(k, "") for k in ("state", "year", "q")}
        ctx["show_filings"] = scope_of(self.request.user).role in FilingListView.ROLES
        ctx["states"] = Contract.Status.choices
        return ctx


class ContractDetailView(ScopedDetailView):
    model = Contract
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self) -> QuerySet[Contract]:
        return (
            super()
            .get_queryset()
            .select_related("division", "agency", "township", "buyer", "procurement", "task_book")
            .prefetch_related(
                Prefetch("stations", queryset=Station.objects.select_related("division")),
                Prefetch(
                    "amendments",
                    queryset=Amendment.objects.prefetch_related("stations_added", "stations_removed"),
                ),
                "payments",
                "indicators",
                "breach_terms",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        contract: Contract = self.object
        ctx["deadlines"] = contract_deadlines(contract)
        allowed = {a["action"]: a["label"] for a in available_actions(self.request.user, contract)}
        ctx["calendar_note"] = calendar_note(contract)
        ctx["may_receive_filing"] = "contracts.receive_filing" in allowed
        ctx["may_upload"] = "contracts.document_upload" in allowed
        ctx["may_edit_terms"] = "contracts.terms_save" in allowed
        ctx["documents"] = list(
            ContractDocument.objects.for_user(self.request.user, Action.VIEW)
            .filter(contract=contract)
            .select_related("uploaded_by")
        )
        ctx["document_kinds"] = ContractDocument.Kind.choices
        ctx["transitions"] = [
            {"action": name, "label": allowed[name], "fields": fields}
            for name, (_func, fields) in TRANSITION_FORMS.items()
            if name in allowed
        ]
        ctx["today"] = timezone.localdate().isoformat()
        ctx["procurement_visible"] = (
            contract.procurement_id is not None
            and Procurement.objects.for_user(self.request.user).filter(pk=contract.procurement_id).exists()
        )
        ctx.update(_task_book_context(contract, self.request.user, allowed))
        return ctx


def _task_book_context(contract: Contract, user: Any, allowed: dict[str, str]) -> dict[str, Any]:
    from .models import TaskBook
    from .taskbook import PARTIES, party_for, required_confirmers

    book = TaskBook.objects.filter(contract=contract).prefetch_related("confirmations__confirmed_by").first()
    needed = required_confirmers(contract)
    done = {c.party: c for c in book.confirmations.all()} if book else {}
    rows = [{"label": PARTIES[p][0], "confirmation": done.get(p)} for p in needed.parties]
    party = party_for(user, contract)
    may_confirm = (
        book is not None
        and "contracts.task_book_confirm" in allowed
        and party in needed.parties
        and party not in done
        and (party != "township" or contract.township_id == getattr(user, "organisation_id", None))
    )
    sections = (
        [(getattr(TaskBook._meta.get_field(n), "verbose_name", n), getattr(book, n)) for n in TaskBook.SECTIONS]
        if book
        else []
    )
    return {
        "task_book": book,
        "book_sections": sections,
        "confirm_rows": rows,
        "confirmers": needed,
        "may_confirm": may_confirm,
    }


class TaskBookConfirmView(LoginRequiredMixin, View):
    """POST: the caller confirms the task book for its party (the declared action decides)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = access_contract(request.user, pk, Action.VIEW)
        try:
            actions.task_book_confirm(acting_user=request.user, contract=contract)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, "已确认项目任务书。")
        return redirect("contract-detail", pk=contract.pk)


class ContractTransitionView(LoginRequiredMixin, View):
    """POST one declared transition from the agreement's page; errors come back as a Chinese message."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        name = f"contracts.{action}"
        if name not in TRANSITION_FORMS:
            raise Http404("未找到。")
        contract = access_contract(request.user, pk, Action.CHANGE)
        func, fields = TRANSITION_FORMS[name]
        values: dict[str, Any] = {}
        try:
            for field in fields:
                raw = request.POST.get(field, "").strip()
                if field in DATE_FIELDS:
                    try:
                        values[field] = dt.date.fromisoformat(raw)
                    except ValueError:
                        raise ValidationError({field: "请填写正确的日期。"}) from None
                else:
                    values[field] = raw
            func(acting_user=request.user, contract=contract, **values)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, "已保存。")
        return redirect("contract-detail", pk=contract.pk)


class ProcurementListView(ScopedListView):
    model = Procurement
    template_name = "contracts/procurement_list.html"
    context_object_name = "procurements"

    def get_queryset(self) -> QuerySet[Procurement]:
        return super().get_queryset().select_related("division", "buyer").order_by("-announced_date", "number")


class ProcurementDetailView(ScopedDetailView):
    model = Procurement
    template_name = "contracts/procurement_detail.html"
    context_object_name = "procurement"

    def get_queryset(self) -> QuerySet[Procurement]:
        return (
            super()
            .get_queryset()
            .select_related("division", "buyer", "winner__agency")
            .prefetch_related(Prefetch("bidders", queryset=Bidder.objects.select_related("agency")))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from core.scoping import Role, scope_of

        ctx = super().get_context_data(**kwargs)
        procurement: Procurement = self.object
        bidders = list(procurement.bidders.all())
        if scope_of(self.request.user).role == Role.AGENCY:
            bidders = [b for b in bidders if b.agency_id == self.request.user.organisation_id]  # type: ignore[union-attr]
        ctx["bidders"] = bidders
        ctx["ocds"] = ocds_method(procurement.method)
        return ctx


# --- filings with the bureau above (city and province bureaus) ------------------------------------------

FILING_VIEWS = {
    "": "全部",
    "awaiting": "待报备",
    "unreceived": "已报备待接收",
    "received": "已接收",
}


def _filing_queryset(user: Any, show: str) -> QuerySet[Contract]:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import OuterRef, Subquery

    from obligations.models import Obligation

    ct = ContentType.objects.get_for_model(Contract)
    due = Obligation.objects.filter(kind="contract.filing", content_type=ct, object_id=OuterRef("pk")).values(
        "due_date"
    )[:1]
    qs = (
        Contract.objects.for_user(user, Action.VIEW)
        .filter(signed_date__isnull=False)
        .exclude(status=Contract.Status.DRAFT)
        .select_related("division", "agency", "buyer", "filing_received_by")
        .annotate(filing_due=Subquery(due))
    )
    if show == "awaiting":
        qs = qs.filter(filed_date__isnull=True, status=Contract.Status.SIGNED)
    elif show == "unreceived":
        qs = qs.filter(filed_date__isnull=False, filing_received_date__isnull=True)
    elif show == "received":
        qs = qs.filter(filing_received_date__isnull=False)
    return qs.order_by("filing_received_date", "-filed_date", "-signed_date", "number")


class FilingListView(LoginRequiredMixin, View):
    """报备协议: the agreements the counties of the caller's city (or province) signed and filed; the bureau marks
    each filing received (contracts.receive_filing). County bureaus and below have their own contract list."""

    ROLES = frozenset({Role.CITY_BUREAU, Role.PROVINCE_BUREAU, Role.ADMIN})

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.core.paginator import Paginator
        from django.template.response import TemplateResponse

        if scope_of(request.user).role not in self.ROLES:
            raise Http404("未找到。")
        show = request.GET.get("show", "")
        if show not in FILING_VIEWS:
            show = ""
        page = Paginator(_filing_queryset(request.user, show), 50).get_page(request.GET.get("page"))
        may_receive = spec_of("contracts.receive_filing").role_may(scope_of(request.user).role)
        rows = [{"contract": c, "may_receive": may_receive and actions.filing_awaits_receipt(c)} for c in page]
        return TemplateResponse(
            request,
            "contracts/filing_list.html",
            {
                "page_obj": page,
                "rows": rows,
                "show": show,
                "views": FILING_VIEWS.items(),
                "today": timezone.localdate(),
            },
        )


class ReceiveFilingView(LoginRequiredMixin, View):
    """POST: the city or province bureau marks a filing received (the declared action decides)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = access_contract(request.user, pk, Action.VIEW)
        try:
            actions.contract_receive_filing(acting_user=request.user, contract=contract)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"已确认收到协议{contract.number}的报备。")
        back = request.POST.get("next", "")
        if back.startswith("/contracts/") and "//" not in back:
            return redirect(back)
        return redirect("contract-filings")


# --- documents ------------------------------------------------------------------------------------------


class DocumentUploadView(LoginRequiredMixin, View):
    """POST (multipart): attach a document to the agreement through the declared action; refusals in Chinese."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = access_contract(request.user, pk, Action.VIEW)
        try:
            document = actions.document_upload(
                acting_user=request.user,
                contract=contract,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                upload=request.FILES.get("file"),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, f"文件未保存：{text}")
        else:
            messages.success(request, f"已上传：{document.title}")
        return redirect("contract-detail", pk=contract.pk)


class DocumentDownloadView(LoginRequiredMixin, View):
    """GET: the stored file, only for a document the caller may read (others: 404), as an attachment."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        from urllib.parse import quote

        from django.http import FileResponse

        from .models import ContractDocument

        document = (
            ContractDocument.objects.for_user(request.user, Action.VIEW)
            .select_related("contract")
            .filter(pk=pk)
            .first()
        )
        if document is None:
            raise Http404("未找到。")
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404("文件不存在。") from None
        response = FileResponse(handle, content_type=document.content_type)
        name = f"{document.contract.number}-{document.title}{document.extension}"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class AgreementPdfView(LoginRequiredMixin, View):
    """GET: the agreement as a PDF, for whoever reads the agreement (others: 404)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from urllib.parse import quote

        from .pdf import agreement_pdf

        contract = access_contract(request.user, pk, Action.VIEW)
        response = HttpResponse(agreement_pdf(contract), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'服务协议-{contract.number}.pdf')}"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- structured terms ----------------------------------------------------------------------------------


class ContractTermsView(LoginRequiredMixin, View):
    """拨付安排、绩效指标与违约责任: a form for the buying bureau while the agreement is a draft."""

    def _contract(self, request: HttpRequest, pk: int) -> Contract:
        return access_contract(request.user, pk, Action.CHANGE)

    def _render(self, request: HttpRequest, contract: Contract, sets: dict[str, Any]) -> HttpResponse:
        from django.template.response import TemplateResponse

        editable = spec_of("contracts.terms_save").state_allows(contract)
        return TemplateResponse(
            request, "contracts/contract_terms.html", {"contract": contract, "editable": editable, **sets}
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .forms import BreachFormSet, IndicatorFormSet, PaymentFormSet

        contract = self._contract(request, pk)
        sets = {
            "payments": PaymentFormSet(
                prefix="pay",
                initial=[
                    {"due_date": p.due_date, "amount": p.amount, "condition": p.condition}
                    for p in contract.payments.all()
                ],
            ),
            "indicators": IndicatorFormSet(
                prefix="ind",
                initial=[{"name": i.name, "target": i.target, "unit": i.unit} for i in contract.indicators.all()],
            ),
            "breaches": BreachFormSet(
                prefix="bre", initial=[{"party": b.party, "text": b.text} for b in contract.breach_terms.all()]
            ),
        }
        return self._render(request, contract, sets)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .forms import BreachFormSet, IndicatorFormSet, PaymentFormSet, filled_rows

        contract = self._contract(request, pk)
        sets: dict[str, Any] = {
            "payments": PaymentFormSet(request.POST, prefix="pay"),
            "indicators": IndicatorFormSet(request.POST, prefix="ind"),
            "breaches": BreachFormSet(request.POST, prefix="bre"),
        }
        if not all(fs.is_valid() for fs in sets.values()):
            messages.error(request, "请按提示修改后再保存。")
            return self._render(request, contract, sets)
        try:
            actions.terms_save(
                acting_user=request.user,
                contract=contract,
                payments=filled_rows(sets["payments"], ("due_date", "amount", "condition")),
                indicators=filled_rows(sets["indicators"], ("name", "target", "unit")),
                breach_terms=filled_rows(sets["breaches"], ("party", "text")),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
            return self._render(request, contract, sets)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
            return self._render(request, contract, sets)
        messages.success(request, "已保存拨付安排、绩效指标与违约责任。")
        return redirect("contract-detail", pk=contract.pk)
