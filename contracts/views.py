"""Pages for procurements and agreements: lists and details through ``for_user``; transitions through the
declared actions (the same ones the API calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.actions import available_actions, spec_of
from core.scoping import Action, Role, scope_of
from core.views import ScopedDetailView, ScopedListView
from policies.policy import effective_policy
from stations.models import Station

from . import actions
from .deadlines import calendar_note, contract_deadlines
from .filtersets import ContractFilterSet
from .models import Amendment, Bidder, CareAgreement, Contract, ContractDocument, Method, Procurement
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
        ctx["may_create"] = spec_of("contracts.create").role_may(scope_of(self.request.user).role)
        ctx["states"] = Contract.Status.choices
        return ctx


def _items_in_order() -> QuerySet[Any]:
    from services.models import ServiceItem

    return ServiceItem.objects.select_related("domain").order_by("domain__order", "order", "code")


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
                Prefetch("service_items", queryset=_items_in_order()),
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
        ctx["may_edit_draft"] = contract.status == Contract.Status.DRAFT and "contracts.update" in allowed
        ctx["may_amend"] = "contracts.amend" in allowed
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
        ctx.update(_task_book_context(contract, authed_user(self.request), allowed))
        return ctx


def _task_book_context(contract: Contract, user: User, allowed: dict[str, str]) -> dict[str, Any]:
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
        contract = access_contract(authed_user(request), pk, Action.VIEW)
        try:
            actions.task_book_confirm(acting_user=authed_user(request), contract=contract)
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
        contract = access_contract(authed_user(request), pk, Action.CHANGE)
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["may_create"] = spec_of("procurements.create").role_may(scope_of(self.request.user).role)
        return ctx

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
        allowed = {a["action"] for a in available_actions(self.request.user, procurement)}
        if "procurements.add_bidder" in allowed:
            from .forms import BidderForm

            ctx["bidder_form"] = BidderForm(agencies=_agency_choices(authed_user(self.request), procurement))
        if "procurements.award" in allowed and bidders:
            from .forms import AwardForm
            from .procurement import eligibility_findings

            ctx["award_form"] = AwardForm(
                bidders=[(str(b.pk), b.agency.name) for b in bidders],
                initial={"award_date": timezone.localdate().isoformat()},
            )
            # The findings each bidder would meet at award, shown before the award is made.
            ctx["previews"] = [(b, eligibility_findings(b)) for b in bidders]
        return ctx


# --- filings with the bureau above (city and province bureaus) ------------------------------------------

FILING_VIEWS = {
    "": "全部",
    "awaiting": "待报备",
    "unreceived": "已报备待接收",
    "received": "已接收",
}


def _filing_queryset(user: User, show: str) -> QuerySet[Contract]:
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
        page = Paginator(_filing_queryset(authed_user(request), show), 50).get_page(request.GET.get("page"))
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
        contract = access_contract(authed_user(request), pk, Action.VIEW)
        try:
            actions.contract_receive_filing(acting_user=authed_user(request), contract=contract)
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
        contract = access_contract(authed_user(request), pk, Action.VIEW)
        try:
            document = actions.document_upload(
                acting_user=authed_user(request),
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

        contract = access_contract(authed_user(request), pk, Action.VIEW)
        response = HttpResponse(agreement_pdf(contract), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'服务协议-{contract.number}.pdf')}"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- structured terms ----------------------------------------------------------------------------------


class ContractTermsView(LoginRequiredMixin, View):
    """拨付安排、绩效指标与违约责任: a form for the buying bureau while the agreement is a draft."""

    def _contract(self, request: HttpRequest, pk: int) -> Contract:
        return access_contract(authed_user(request), pk, Action.CHANGE)

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
                acting_user=authed_user(request),
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


# --- procurement and amendment pages ---------------------------------------------------------------------


def _form_errors(request: HttpRequest, form: Any, exc: ValidationError) -> None:
    """A declared action's refusal onto the form: field errors where the form has the field, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for text in errors:
                form.add_error(target, text)
    else:
        for text in exc.messages:
            form.add_error(None, text)


class ProcurementCreateView(LoginRequiredMixin, View):
    """新建采购项目: the county bureau's form (procurements.create); other roles get 404."""

    def _allowed(self, request: HttpRequest) -> None:
        if not spec_of("procurements.create").role_may(scope_of(request.user).role):
            raise Http404("未找到。")

    def _form(self, request: HttpRequest, data: Any = None) -> Any:
        from stations.models import Division

        from .forms import ProcurementForm

        divisions = [
            (d.code, d.name)
            for d in Division.objects.for_user(request.user)
            .filter(level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP])
            .order_by("code")
        ]
        return ProcurementForm(data, divisions=divisions, methods=list(Method.choices))

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.template.response import TemplateResponse

        self._allowed(request)
        return TemplateResponse(request, "contracts/procurement_form.html", {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.template.response import TemplateResponse

        self._allowed(request)
        form = self._form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            procurement = Procurement(
                buyer_id=cast(int, getattr(request.user, "organisation_id", None)),
                division_id=data.pop("division"),
                **data,
            )
            try:
                actions.procurement_create(acting_user=authed_user(request), procurement=procurement)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "您无权进行此操作。")
            except ValidationError as exc:
                _form_errors(request, form, exc)
            else:
                messages.success(request, "已新建采购项目，请登记响应供应商。")
                return redirect("procurement-detail", pk=procurement.pk)
        return TemplateResponse(request, "contracts/procurement_form.html", {"form": form})


def _agency_choices(user: User, procurement: Procurement) -> list[tuple[str, str]]:
    from accounts.models import Organisation

    taken = set(procurement.bidders.values_list("agency_id", flat=True))
    return [
        (str(o.pk), o.name)
        for o in Organisation.objects.for_user(user).filter(kind=Organisation.Kind.AGENCY).order_by("name")
        if o.pk not in taken
    ]


class ProcurementBidderView(LoginRequiredMixin, View):
    """POST: register a bidder with the eligibility facts checked (procurements.add_bidder)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from accounts.models import Organisation

        from .forms import BidderForm
        from .selectors import access_procurement

        procurement = access_procurement(authed_user(request), pk, Action.CHANGE)
        form = BidderForm(request.POST, agencies=_agency_choices(authed_user(request), procurement))
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, str(text))
            return redirect("procurement-detail", pk=procurement.pk)
        data = dict(form.cleaned_data)
        agency = Organisation.objects.for_user(request.user).get(pk=data.pop("agency"))
        try:
            actions.procurement_add_bidder(
                acting_user=authed_user(request), procurement=procurement, agency=agency, **data
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"已登记响应供应商：{agency.name}")
        return redirect("procurement-detail", pk=procurement.pk)


class ProcurementAwardView(LoginRequiredMixin, View):
    """POST: award to one bidder after its eligibility findings (procurements.award)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .forms import AwardForm
        from .selectors import access_procurement

        procurement = access_procurement(authed_user(request), pk, Action.CHANGE)
        bidders = {str(b.pk): b for b in procurement.bidders.select_related("agency")}
        form = AwardForm(request.POST, bidders=[(k, b.agency.name) for k, b in bidders.items()])
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, str(text))
            return redirect("procurement-detail", pk=procurement.pk)
        data = form.cleaned_data
        try:
            actions.procurement_award(
                acting_user=authed_user(request),
                procurement=procurement,
                bidder=bidders[data["bidder"]],
                award_date=data["award_date"],
                reason=data["reason"],
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, "已确定成交供应商，资格核对结果已随成交记录保存。")
        return redirect("procurement-detail", pk=procurement.pk)


class AmendmentCreateView(LoginRequiredMixin, View):
    """签订补充协议: stations added or removed and the yearly amount from the effective date (contracts.amend)."""

    def _setup(self, request: HttpRequest, pk: int, data: Any = None) -> tuple[Contract, Any]:
        from .forms import AmendmentForm
        from .selectors import stations_on

        contract = access_contract(authed_user(request), pk, Action.CHANGE)
        if not spec_of("contracts.amend").state_allows(contract):
            raise Http404("未找到。")
        covered = set(stations_on(contract, max(timezone.localdate(), contract.start_date)))
        visible = Station.objects.for_user(request.user).filter(division__code__startswith=contract.buyer.division_id)
        addable = [(str(s.pk), s.name) for s in visible.exclude(pk__in=covered).order_by("name")]
        removable = [(str(s.pk), s.name) for s in Station.objects.filter(pk__in=covered).order_by("name")]
        return contract, AmendmentForm(data, addable=addable, removable=removable)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.template.response import TemplateResponse

        contract, form = self._setup(request, pk)
        return TemplateResponse(request, "contracts/amendment_form.html", {"contract": contract, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.template.response import TemplateResponse

        contract, form = self._setup(request, pk, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            ids = [*data["stations_added"], *data["stations_removed"]]
            stations = {str(s.pk): s for s in Station.objects.for_user(request.user).filter(pk__in=ids)}
            try:
                actions.contract_amend(
                    acting_user=authed_user(request),
                    contract=contract,
                    signed_date=data["signed_date"],
                    effective_date=data["effective_date"],
                    reason=data["reason"],
                    stations_added=[stations[i] for i in data["stations_added"] if i in stations],
                    stations_removed=[stations[i] for i in data["stations_removed"] if i in stations],
                    amount_per_year=data["amount_per_year"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "您无权进行此操作。")
            except ValidationError as exc:
                _form_errors(request, form, exc)
            else:
                messages.success(request, "已保存补充协议。")
                return redirect("contract-detail", pk=contract.pk)
        return TemplateResponse(request, "contracts/amendment_form.html", {"contract": contract, "form": form})


def _catalogue_items(user: User) -> dict[str, Any]:
    """The service items an agreement may buy: the catalogue the effective policy of the caller's division names
    (``service.catalogue``), or every catalogue the platform holds where the policy names none."""
    from services.models import ServiceItem
    from services.policy import catalogue_code

    items = ServiceItem.objects.for_user(user).select_related("domain__catalogue")
    code = getattr(user.organisation, "division_id", None)
    named = catalogue_code(effective_policy(code)) if code else None
    if named and items.filter(domain__catalogue__code=named).exists():
        items = items.filter(domain__catalogue__code=named)
    items = items.order_by("domain__catalogue__code", "domain__order", "order", "code")
    return {str(i.pk): i for i in items}


class ContractCreateView(LoginRequiredMixin, View):
    """新建服务协议: the county bureau drafts an agreement (contracts.create); the buyer is its own bureau and
    the township, agency, procurement and stations are dropdowns of its scope. Other roles get 404."""

    def _allowed(self, request: HttpRequest) -> None:
        if not spec_of("contracts.create").role_may(scope_of(request.user).role):
            raise Http404("未找到。")

    def _choices(self, user: User) -> dict[str, Any]:
        from accounts.models import Organisation

        org = user.organisation
        root = org.division_id if org is not None else ""
        orgs = Organisation.objects.for_user(user).filter(
            division__code__startswith=root, status=Organisation.Status.ACTIVE
        )
        procurements = (
            Procurement.objects.for_user(user, Action.CHANGE)
            .filter(status=Procurement.Status.AWARDED, buyer_id=getattr(org, "pk", None))
            .select_related("winner__agency")
            .order_by("-award_date", "number")
        )
        stations = (
            Station.objects.for_user(user)
            .filter(division__code__startswith=root)
            .exclude(status=Station.Status.CLOSED)
            .order_by("division_id", "level", "name")
        )
        return {
            "service_items": _catalogue_items(user),
            "townships": {
                str(o.pk): o for o in orgs.filter(kind=Organisation.Kind.TOWNSHIP).order_by("division_id", "name")
            },
            "agencies": {str(o.pk): o for o in orgs.filter(kind=Organisation.Kind.AGENCY).order_by("name")},
            "procurements": {str(p.pk): p for p in procurements},
            "stations": {str(s.pk): s for s in stations},
        }

    def _form(self, choices: dict[str, Any], data: Any = None) -> Any:
        from .forms import ContractForm

        return ContractForm(
            data,
            townships=[(k, o.name) for k, o in choices["townships"].items()],
            agencies=[(k, o.name) for k, o in choices["agencies"].items()],
            procurements=[
                (k, f"{p.number} {p.title}（成交：{p.winner.agency.name if p.winner else '—'}）")
                for k, p in choices["procurements"].items()
            ],
            stations=[(k, s.name) for k, s in choices["stations"].items()],
            service_items=[
                (k, f"{i.domain.catalogue.name} · {i.code} {i.name}") for k, i in choices["service_items"].items()
            ],
        )

    def _render(self, request: HttpRequest, form: Any) -> HttpResponse:
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request,
            "contracts/contract_form.html",
            {"form": form, "buyer": getattr(request.user, "organisation", None)},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        return self._render(request, self._form(self._choices(authed_user(request))))

    def post(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        user = authed_user(request)
        choices = self._choices(user)
        form = self._form(choices, request.POST)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        buyer = user.organisation
        if buyer is None:
            form.add_error(None, "只有民政部门的工作人员可以新建协议。")
            return self._render(request, form)
        township = choices["townships"].get(data["township"]) if data["township"] else None
        stations = [choices["stations"][k] for k in data["stations"]]
        if township is not None:
            outside = [s.name for s in stations if not s.division_id.startswith(township.division_id)]
            if outside:
                form.add_error("stations", f"以下站点不在{township.name}辖区内：{'、'.join(outside)}。")
                return self._render(request, form)
        procurement = choices["procurements"].get(data["procurement"]) if data["procurement"] else None
        contract = Contract(
            number=data["number"].strip(),
            buyer=buyer,
            division_id=township.division_id if township is not None else buyer.division_id,
            township=township,
            agency=choices["agencies"][data["agency"]],
            procurement=procurement,
            amount_per_year=data["amount_per_year"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            cycle_start=data["cycle_start"],
            cycle_end=data["cycle_end"],
            resident_workers=data["resident_workers"],
            station_head_required=data["station_head_required"],
            staffing_note=data["staffing_note"].strip(),
        )
        try:
            actions.contract_create(
                acting_user=user,
                contract=contract,
                stations=stations,
                service_items=[choices["service_items"][k] for k in data["service_items"]],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            _form_errors(request, form, exc)
        else:
            messages.success(request, "已新建协议草稿，请编辑拨付安排、绩效指标与违约责任后签订。")
            return redirect("contract-detail", pk=contract.pk)
        return self._render(request, form)


class ContractEditView(ContractCreateView):
    """修改协议草稿: the same form, filled with the draft; saved through contracts.update. Only a draft is edited
    here (a signed agreement changes by amendment); a contract outside the caller's change scope is 404."""

    def _draft(self, request: HttpRequest, pk: int) -> Contract:
        self._allowed(request)
        contract = (
            Contract.objects.for_user(request.user, Action.CHANGE)  # type: ignore[attr-defined]
            .filter(pk=pk, status=Contract.Status.DRAFT)
            .first()
        )
        if contract is None:
            raise Http404("未找到。")
        return contract

    def _render(self, request: HttpRequest, form: Any) -> HttpResponse:
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request,
            "contracts/contract_form.html",
            {"form": form, "buyer": getattr(request.user, "organisation", None), "editing": self.contract},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        self.contract = self._draft(request, pk)
        c = self.contract
        form = self._form(self._choices(authed_user(request)))
        form.initial = {
            "number": c.number,
            "township": str(c.township_id or ""),
            "agency": str(c.agency_id),
            "procurement": str(c.procurement_id or ""),
            "stations": [str(pk) for pk in c.stations.values_list("pk", flat=True)],
            "service_items": [str(pk) for pk in c.service_items.values_list("pk", flat=True)],
            "cycle_start": c.cycle_start,
            "cycle_end": c.cycle_end,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "amount_per_year": c.amount_per_year,
            "resident_workers": c.resident_workers,
            "station_head_required": c.station_head_required,
            "staffing_note": c.staffing_note,
        }
        return self._render(request, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        self.contract = self._draft(request, pk)
        user = authed_user(request)
        choices = self._choices(user)
        form = self._form(choices, request.POST)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        township = choices["townships"].get(data["township"]) if data["township"] else None
        stations = [choices["stations"][k] for k in data["stations"]]
        if township is not None:
            outside = [s.name for s in stations if not s.division_id.startswith(township.division_id)]
            if outside:
                form.add_error("stations", f"以下站点不在{township.name}辖区内：{'、'.join(outside)}。")
                return self._render(request, form)
        procurement = choices["procurements"].get(data["procurement"]) if data["procurement"] else None
        buyer = self.contract.buyer
        fields = {
            "number": data["number"].strip(),
            "division_id": township.division_id if township is not None else buyer.division_id,
            "township_id": township.pk if township is not None else None,
            "agency_id": choices["agencies"][data["agency"]].pk,
            "procurement_id": procurement.pk if procurement is not None else None,
            "amount_per_year": data["amount_per_year"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "cycle_start": data["cycle_start"],
            "cycle_end": data["cycle_end"],
            "resident_workers": data["resident_workers"],
            "station_head_required": data["station_head_required"],
            "staffing_note": data["staffing_note"].strip(),
        }
        try:
            actions.contract_update(
                acting_user=user,
                contract=self.contract,
                data=fields,
                stations=stations,
                service_items=[choices["service_items"][k] for k in data["service_items"]],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            _form_errors(request, form, exc)
        else:
            messages.success(request, "协议草稿已保存。")
            return redirect("contract-detail", pk=self.contract.pk)
        return self._render(request, form)


# --- four-party care agreements (Nantong, [004 §3(7)]) ----------------------------------------------------


class CareAgreementListView(ScopedListView):
    """四方服务协议: the agreements of the caller's scope (bureau, township; an agency at its stations)."""

    model = CareAgreement
    template_name = "contracts/care_list.html"
    context_object_name = "agreements"

    def get_queryset(self) -> QuerySet[CareAgreement]:
        qs = super().get_queryset().select_related("village", "station", "township", "beneficiary", "worker")
        status = self.request.GET.get("state", "")
        if status in CareAgreement.Status.values:
            qs = qs.filter(status=status)
        return qs.order_by("-start_date", "number", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["may_create"] = spec_of("care_agreements.create").role_may(scope_of(self.request.user).role)
        ctx["states"] = CareAgreement.Status.choices
        ctx["state"] = self.request.GET.get("state", "")
        return ctx


class CareAgreementDetailView(ScopedDetailView):
    model = CareAgreement
    template_name = "contracts/care_detail.html"
    context_object_name = "agreement"

    def get_queryset(self) -> QuerySet[CareAgreement]:
        return super().get_queryset().select_related("village", "station", "township", "beneficiary", "worker")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .care import care_findings

        ctx = super().get_context_data(**kwargs)
        agreement: CareAgreement = self.object
        allowed = {a["action"] for a in available_actions(self.request.user, agreement)}
        ctx["may_sign"] = "care_agreements.sign" in allowed
        ctx["may_end"] = "care_agreements.end" in allowed
        ctx["may_edit"] = "care_agreements.update" in allowed
        # 续签: a signed agreement's township or county bureau drafts the next term from it.
        ctx["may_renew"] = (
            agreement.status == CareAgreement.Status.SIGNED
            and CareAgreement.objects.for_user(self.request.user, Action.CHANGE).filter(pk=agreement.pk).exists()
        )
        # Before signing: the findings as they would be today; after: the ones kept with the signing.
        ctx["findings"] = (
            agreement.findings if agreement.signed_date else [f.to_dict() for f in care_findings(agreement)]
        )
        ctx["today"] = timezone.localdate().isoformat()
        return ctx


class CareAgreementCreateView(LoginRequiredMixin, View):
    """新建四方服务协议 (care_agreements.create): the township officer or the county bureau; others get 404."""

    def _allowed(self, request: HttpRequest) -> None:
        if not spec_of("care_agreements.create").role_may(scope_of(request.user).role):
            raise Http404("未找到。")

    def _objects(self, user: User) -> dict[str, dict[str, Any]]:
        from services.models import Beneficiary
        from staffing.models import SocialWorker
        from stations.models import Division

        org = user.organisation
        root = org.division_id if org is not None else ""
        villages = (
            Division.objects.for_user(user)
            .filter(code__startswith=root, level=Division.Level.VILLAGE)
            .select_related("parent")
            .order_by("code")
        )
        stations = (
            Station.objects.for_user(user)
            .filter(division__code__startswith=root, level=Station.Level.TOWNSHIP)
            .exclude(status=Station.Status.CLOSED)
            .order_by("division_id")
        )
        workers = (
            SocialWorker.objects.for_user(user)
            .filter(division__code__startswith=root, status=SocialWorker.Status.EMPLOYED)
            .select_related("division")
            .order_by("division_id", "name")
        )
        people = (
            Beneficiary.objects.for_user(user)
            .filter(division__code__startswith=root, active=True)
            .select_related("division")
            .order_by("division_id", "name")
        )
        return {
            "village": {d.code: d for d in villages},
            "station": {str(s.pk): s for s in stations},
            "worker": {str(w.pk): w for w in workers},
            "beneficiary": {str(b.pk): b for b in people},
        }

    def _form(self, objects: dict[str, dict[str, Any]], data: Any = None) -> Any:
        from .forms import CareAgreementForm

        labels = {
            "village": [(k, f"{d.parent.name if d.parent else ''}{d.name}") for k, d in objects["village"].items()],
            "station": [(k, s.name) for k, s in objects["station"].items()],
            "worker": [(k, f"{w.name}（{w.division.name}）") for k, w in objects["worker"].items()],
            "beneficiary": [(k, f"{b.name}（{b.division.name}）") for k, b in objects["beneficiary"].items()],
        }
        return CareAgreementForm(data, choices=labels)

    def _render(self, request: HttpRequest, form: Any) -> HttpResponse:
        from django.template.response import TemplateResponse

        return TemplateResponse(request, "contracts/care_form.html", {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        form = self._form(self._objects(authed_user(request)))
        previous = self._renewing(request)
        if previous is not None:
            # 续签: the same four parties and station facts, the next term of the same length from the day after.
            start = previous.end_date + dt.timedelta(days=1)
            form.initial = {
                "village": previous.village_id,
                "station": str(previous.station_id),
                "worker": str(previous.worker_id),
                "beneficiary": str(previous.beneficiary_id),
                "start_date": start,
                "end_date": start + (previous.end_date - previous.start_date),
                "station_legal_person": previous.station_legal_person,
                "station_credit_code": previous.station_credit_code,
                "station_head_name": previous.station_head_name,
                "station_head_civil_affairs": previous.station_head_civil_affairs,
            }
        return self._render(request, form)

    def _renewing(self, request: HttpRequest) -> CareAgreement | None:
        """``?renew=<id>``: a signed agreement the caller may change, whose term the new draft follows on."""
        raw = request.GET.get("renew", "")
        if not raw.isdigit():
            return None
        return (
            CareAgreement.objects.for_user(request.user, Action.CHANGE)  # type: ignore[attr-defined]
            .filter(pk=int(raw), status=CareAgreement.Status.SIGNED)
            .first()
        )

    def _fields(self, user: User, objects: dict[str, dict[str, Any]], form: Any) -> dict[str, Any] | None:
        """The agreement's values from a valid form; None (with the error on the form) when the village's township
        has no organisation on the platform."""
        from accounts.models import Organisation

        data = form.cleaned_data
        village = objects["village"][data["village"]]
        township = (
            Organisation.objects.for_user(user)
            .filter(kind=Organisation.Kind.TOWNSHIP, division_id=village.code[:9])
            .order_by("pk")
            .first()
        )
        if township is None:
            form.add_error("village", "该村（社区）所在乡镇（街道）尚未在平台登记单位。")
            return None
        return {
            "number": data["number"].strip(),
            "township": township,
            "village": village,
            "station": objects["station"][data["station"]],
            "worker": objects["worker"][data["worker"]],
            "beneficiary": objects["beneficiary"][data["beneficiary"]],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "station_legal_person": data["station_legal_person"],
            "station_credit_code": data["station_credit_code"].strip().upper(),
            "station_head_name": data["station_head_name"].strip(),
            "station_head_civil_affairs": data["station_head_civil_affairs"],
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        user = authed_user(request)
        objects = self._objects(user)
        form = self._form(objects, request.POST)
        if not form.is_valid():
            return self._render(request, form)
        fields = self._fields(user, objects, form)
        if fields is None:
            return self._render(request, form)
        agreement = CareAgreement(**fields)
        try:
            actions.care_agreement_create(acting_user=user, agreement=agreement)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            _form_errors(request, form, exc)
        else:
            messages.success(request, "已新建四方服务协议草稿，核对政策要求后即可签订。")
            return redirect("care-agreement-detail", pk=agreement.pk)
        return self._render(request, form)


class CareAgreementEditView(CareAgreementCreateView):
    """修改四方服务协议草稿 (care_agreements.update): the creation form filled with the draft. Only a draft in the
    caller's change scope opens (anything else: 404); a signed agreement is ended and a new one signed instead."""

    def _draft(self, request: HttpRequest, pk: int) -> CareAgreement:
        self._allowed(request)
        agreement = (
            CareAgreement.objects.for_user(request.user, Action.CHANGE)  # type: ignore[attr-defined]
            .filter(pk=pk, status=CareAgreement.Status.DRAFT)
            .first()
        )
        if agreement is None:
            raise Http404("未找到。")
        return agreement

    def _render(self, request: HttpRequest, form: Any) -> HttpResponse:
        from django.template.response import TemplateResponse

        return TemplateResponse(request, "contracts/care_form.html", {"form": form, "editing": self.agreement})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        self.agreement = a = self._draft(request, pk)
        form = self._form(self._objects(authed_user(request)))
        form.initial = {
            "number": a.number,
            "village": a.village_id,
            "station": str(a.station_id),
            "worker": str(a.worker_id),
            "beneficiary": str(a.beneficiary_id),
            "start_date": a.start_date,
            "end_date": a.end_date,
            "station_legal_person": a.station_legal_person,
            "station_credit_code": a.station_credit_code,
            "station_head_name": a.station_head_name,
            "station_head_civil_affairs": a.station_head_civil_affairs,
        }
        return self._render(request, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        self.agreement = self._draft(request, pk)
        user = authed_user(request)
        objects = self._objects(user)
        form = self._form(objects, request.POST)
        if not form.is_valid():
            return self._render(request, form)
        fields = self._fields(user, objects, form)
        if fields is None:
            return self._render(request, form)
        data = {(f"{k}_id" if hasattr(v, "pk") else k): (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()}
        try:
            actions.care_agreement_update(acting_user=user, agreement=self.agreement, data=data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            _form_errors(request, form, exc)
        else:
            messages.success(request, "协议草稿已保存。")
            return redirect("care-agreement-detail", pk=self.agreement.pk)
        return self._render(request, form)


class CareAgreementTransitionView(LoginRequiredMixin, View):
    """POST: sign or end a care agreement (care_agreements.sign / .end); refusals come back in Chinese."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        from .selectors import access

        if action not in {"sign", "end"}:
            raise Http404("未找到。")
        user = authed_user(request)
        agreement = access(CareAgreement, user, pk, Action.CHANGE)
        try:
            raw = request.POST.get("date", "").strip()
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValidationError({"date": "请填写正确的日期。"}) from None
            if action == "sign":
                actions.care_agreement_sign(acting_user=user, agreement=agreement, signed_date=day)
            else:
                actions.care_agreement_end(
                    acting_user=user, agreement=agreement, ended_date=day, reason=request.POST.get("reason", "")
                )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权进行此操作。")
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, "已签订协议。" if action == "sign" else "已终止协议。")
        return redirect("care-agreement-detail", pk=agreement.pk)
