"""Serializers for procurements and three-party service agreements; writes go through contracts.actions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrganisationBriefSerializer
from contracts.deadlines import contract_deadlines
from contracts.models import Amendment, Bidder, BreachTerm, CareAgreement, Contract, Procurement
from contracts.procurement import ocds_method
from core.api import AllowedActionsField
from core.personal.api import MaskedField
from core.scoping import Role, scope_of


class BidderSerializer(serializers.ModelSerializer):
    agency = OrganisationBriefSerializer(read_only=True, label="供应商")

    class Meta:
        model = Bidder
        fields = ["id", "agency", "price", "registered_social_work", "finance_qualified", "no_violation"]
        read_only_fields = fields


class ProcurementSerializer(serializers.ModelSerializer):
    buyer = OrganisationBriefSerializer(read_only=True, label="采购人")
    division = serializers.CharField(source="division_id", read_only=True, label="项目区划代码")
    method_display = serializers.CharField(source="get_method_display", read_only=True, label="采购方式名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    ocds = serializers.SerializerMethodField(label="OCDS 采购方式")
    bidders = serializers.SerializerMethodField(label="响应供应商（社工机构只看到本机构的响应）")
    winner = serializers.IntegerField(
        source="winner_id", read_only=True, allow_null=True, label="成交供应商（响应 id）"
    )
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Procurement
        fields = [
            "id",
            "number",
            "title",
            "buyer",
            "division",
            "method",
            "method_display",
            "rationale",
            "ocds",
            "budget",
            "announced_date",
            "bid_deadline",
            "award_date",
            "status",
            "status_display",
            "bidders",
            "winner",
            "award_findings",
            "award_reason",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_bidders(self, obj: Procurement) -> list[dict[str, Any]]:
        # A competitor's bid is not the agency's to read: an agency sees its own bid only.
        request = self.context.get("request")
        rows = list(obj.bidders.all())
        if request is not None and scope_of(request.user).role == Role.AGENCY:
            rows = [b for b in rows if b.agency_id == request.user.organisation_id]
        return BidderSerializer(rows, many=True).data  # type: ignore[return-value]

    def get_ocds(self, obj: Procurement) -> dict[str, str]:
        return ocds_method(obj.method)


class ProcurementCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Procurement
        fields = ["number", "title", "division", "method", "rationale", "budget", "announced_date", "bid_deadline"]


class BidderCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bidder
        fields = ["agency", "price", "registered_social_work", "finance_qualified", "no_violation"]


class AwardSerializer(serializers.Serializer):
    bidder = serializers.IntegerField(label="成交供应商（响应 id）")
    award_date = serializers.DateField(label="成交日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="原则性规定的例外理由")


class AmendmentSerializer(serializers.ModelSerializer):
    stations_added = serializers.SerializerMethodField(label="增加的站点 id")
    stations_removed = serializers.SerializerMethodField(label="减少的站点 id")

    class Meta:
        model = Amendment
        fields = [
            "id",
            "signed_date",
            "effective_date",
            "reason",
            "stations_added",
            "stations_removed",
            "amount_per_year",
        ]
        read_only_fields = fields

    def get_stations_added(self, obj: Amendment) -> list[int]:
        return sorted(s.pk for s in obj.stations_added.all())

    def get_stations_removed(self, obj: Amendment) -> list[int]:
        return sorted(s.pk for s in obj.stations_removed.all())


class ContractSerializer(serializers.ModelSerializer):
    # Parties and division come from select_related, station ids from one prefetch: no N+1.
    buyer = OrganisationBriefSerializer(read_only=True, label="购买主体")
    township = OrganisationBriefSerializer(read_only=True, allow_null=True, label="项目落地方")
    agency = OrganisationBriefSerializer(read_only=True, label="承接主体")
    division = serializers.CharField(source="division_id", read_only=True, label="项目落地区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="项目落地区划名称")
    stations = serializers.SerializerMethodField(label="服务站点 id（签订时）")
    procurement = serializers.IntegerField(
        source="procurement_id", read_only=True, allow_null=True, label="采购项目 id"
    )
    # Declared so the schema's enum includes the empty value the API returns for an unrecorded method.
    procurement_method = serializers.ChoiceField(
        choices=Contract.Method.choices, allow_blank=True, read_only=True, label="采购方式"
    )
    procurement_method_display = serializers.CharField(
        source="get_procurement_method_display", read_only=True, label="采购方式名称"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    amendments = AmendmentSerializer(many=True, read_only=True, label="补充协议")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "buyer",
            "township",
            "agency",
            "division",
            "division_name",
            "stations",
            "procurement",
            "procurement_method",
            "procurement_method_display",
            "amount_per_year",
            "signed_date",
            "filed_date",
            "filed_with",
            "filing_received_date",
            "start_date",
            "end_date",
            "terminated_date",
            "termination_reason",
            "status",
            "status_display",
            "amendments",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_stations(self, obj: Contract) -> list[int]:
        return sorted(s.pk for s in obj.stations.all())


class PaymentInstalmentSerializer(serializers.Serializer):
    due_date = serializers.DateField(label="拨付时间")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="金额（元）")
    condition = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label="拨付条件")


class IndicatorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, label="指标")
    target = serializers.CharField(max_length=60, label="目标值")
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="", label="单位")


class BreachTermSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=BreachTerm.Party.choices, label="违约方")
    text = serializers.CharField(max_length=500, label="违约情形及责任")


class TermsSerializer(serializers.Serializer):
    payments = PaymentInstalmentSerializer(many=True, label="资金拨付安排")
    indicators = IndicatorSerializer(many=True, label="绩效指标及目标值")
    breach_terms = BreachTermSerializer(many=True, label="违约责任")


class ContractServiceItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="服务项目 id")
    code = serializers.CharField(label="编号")
    name = serializers.CharField(label="服务项目")
    domain = serializers.CharField(source="domain.name", label="服务领域")
    catalogue = serializers.CharField(source="domain.catalogue.code", label="服务清单代码")


class ContractDetailSerializer(ContractSerializer):
    service_items = serializers.SerializerMethodField(label="服务内容（服务清单项目）")
    deadlines = serializers.SerializerMethodField(label="期限（按工作日历计算）")
    terms = serializers.SerializerMethodField(label="拨付安排、绩效指标与违约责任")
    task_book = serializers.SerializerMethodField(label="项目任务书与确认情况")

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "service_items", "deadlines", "task_book", "terms"]
        read_only_fields = fields

    @extend_schema_field(ContractServiceItemSerializer(many=True))
    def get_service_items(self, obj: Contract) -> list[dict[str, Any]]:
        items = obj.service_items.select_related("domain__catalogue").order_by("domain__order", "order", "code")
        return ContractServiceItemSerializer(items, many=True).data  # type: ignore[return-value]

    def get_task_book(self, obj: Contract) -> dict[str, Any] | None:
        from contracts.models import TaskBook
        from contracts.taskbook import PARTIES, required_confirmers

        book = TaskBook.objects.filter(contract=obj).prefetch_related("confirmations__confirmed_by").first()
        needed = required_confirmers(obj)
        if book is None:
            return None
        done = {c.party: c for c in book.confirmations.all()}
        return {
            **{name: getattr(book, name) for name in TaskBook.SECTIONS},
            "confirmers_note": needed.note,
            "confirmations": [
                {
                    "party": party,
                    "party_label": PARTIES[party][0],
                    "confirmed": party in done,
                    "confirmed_by": done[party].confirmed_by.get_full_name() if party in done else None,
                    "confirmed_at": done[party].confirmed_at.isoformat() if party in done else None,
                }
                for party in needed.parties
            ],
        }

    @extend_schema_field(TermsSerializer)
    def get_terms(self, obj: Contract) -> dict[str, Any]:
        return {
            "payments": [
                {"due_date": p.due_date.isoformat(), "amount": str(p.amount), "condition": p.condition}
                for p in obj.payments.all()
            ],
            "indicators": [{"name": i.name, "target": i.target, "unit": i.unit} for i in obj.indicators.all()],
            "breach_terms": [{"party": b.party, "text": b.text} for b in obj.breach_terms.all()],
        }

    def get_deadlines(self, obj: Contract) -> list[dict[str, Any]]:
        return [d.to_dict() for d in contract_deadlines(obj)]


class SignSerializer(serializers.Serializer):
    signed_date = serializers.DateField(label="签订日期")


class FileSerializer(serializers.Serializer):
    filed_date = serializers.DateField(label="报备日期")
    filed_with = serializers.CharField(max_length=120, label="报备机关")


class ReceiveFilingSerializer(serializers.Serializer):
    received_date = serializers.DateField(label="接收日期（缺省为今天）", required=False)


class TerminateSerializer(serializers.Serializer):
    terminated_date = serializers.DateField(label="终止日期")
    reason = serializers.CharField(max_length=300, label="终止原因")


class AmendSerializer(serializers.Serializer):
    signed_date = serializers.DateField(label="补充协议签订日期")
    effective_date = serializers.DateField(label="生效日期")
    reason = serializers.CharField(max_length=300, label="变更原因")
    stations_added = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    stations_removed = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    amount_per_year = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class TaskBookSerializer(serializers.Serializer):
    staffing = serializers.CharField(label="人员配置")
    overview = serializers.CharField(label="项目概述")
    needs_analysis = serializers.CharField(label="需求分析")
    service_plan = serializers.CharField(label="服务计划")
    indicators = serializers.CharField(label="绩效指标")
    fund_plan = serializers.CharField(label="资金使用计划")


class CareAgreementSerializer(serializers.ModelSerializer):
    """A four-party care agreement; the people in it are masked like every personal record (the surname stays),
    and the cared-for person is referred to by the record's public id, never by an identity number."""

    township = OrganisationBriefSerializer(read_only=True, label="乡镇（街道）人民政府")
    village = serializers.CharField(source="village_id", read_only=True, label="村（社区）区划代码")
    village_name = serializers.CharField(source="village.name", read_only=True, label="村（社区）")
    station = serializers.IntegerField(source="station_id", read_only=True, label="社工站 id")
    station_name = serializers.CharField(source="station.name", read_only=True, label="社工站")
    worker = serializers.UUIDField(source="worker.public_id", read_only=True, label="工作人员（公开编号）")
    worker_name = MaskedField(kind="name", source="worker.name", label="工作人员（脱敏）")
    beneficiary = serializers.UUIDField(source="beneficiary.public_id", read_only=True, label="服务对象（公开编号）")
    beneficiary_name = MaskedField(kind="name", source="beneficiary.name", label="服务对象（脱敏）")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = CareAgreement
        fields = [
            "id",
            "number",
            "township",
            "village",
            "village_name",
            "station",
            "station_name",
            "worker",
            "worker_name",
            "beneficiary",
            "beneficiary_name",
            "start_date",
            "end_date",
            "station_legal_person",
            "station_credit_code",
            "station_head_name",
            "station_head_civil_affairs",
            "status",
            "status_display",
            "signed_date",
            "findings",
            "ended_date",
            "end_reason",
            "allowed_actions",
        ]
        read_only_fields = fields


class CareAgreementWriteSerializer(serializers.Serializer):
    """A care agreement's values as the API takes them: the village by its division code (it decides the township),
    the station by id, the worker and the cared-for person by their records' public ids (never a name or an
    identity number). On PATCH every field is optional."""

    number = serializers.CharField(max_length=60, label="协议编号")
    village = serializers.CharField(max_length=12, label="村（社区）区划代码")
    station = serializers.IntegerField(label="社工站 id")
    worker = serializers.UUIDField(label="工作人员（公开编号）")
    beneficiary = serializers.UUIDField(label="服务对象（公开编号）")
    start_date = serializers.DateField(label="服务开始日期")
    end_date = serializers.DateField(label="服务结束日期")
    station_legal_person = serializers.BooleanField(
        required=False, default=False, label="社工站已登记为民办非企业单位（社会服务机构）"
    )
    station_credit_code = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", label="社工站统一社会信用代码"
    )
    station_head_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", label="社工站站长（法人代表）姓名"
    )
    station_head_civil_affairs = serializers.BooleanField(
        required=False, default=False, label="站长为乡镇（街道）从事民政工作的事业性质人员"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "服务结束日期不能早于开始日期。"})
        return attrs


class CareSignSerializer(serializers.Serializer):
    signed_date = serializers.DateField(label="签订日期")


class CareEndSerializer(serializers.Serializer):
    ended_date = serializers.DateField(label="终止日期")
    reason = serializers.CharField(max_length=300, label="终止原因")
