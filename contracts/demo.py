"""Demo rows of the contracts app (called once from home.demo.load_demo): a document on an agreement in force
and the structured terms of the draft agreement for next year."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile

# A one-page PDF with no content: the demo's "signed scan" placeholder file, valid for the upload checks.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load(county_code: str) -> None:
    from accounts.models import User

    from .models import BreachTerm, Contract, ContractDocument, PaymentInstalment, PerformanceIndicator

    officer = User.objects.filter(username="datian_bureau").first()
    _care_agreements(county_code)
    in_force = (
        Contract.objects.filter(buyer__division_id=county_code, status=Contract.Status.ACTIVE).order_by("pk").first()
    )
    if officer is not None and in_force is not None and not ContractDocument.objects.filter(contract=in_force).exists():
        document = ContractDocument(
            contract=in_force,
            kind=ContractDocument.Kind.SIGNED_SCAN,
            title="协议签字盖章扫描件",
            original_name="协议扫描件.pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=len(DEMO_PDF),
            sha256=hashlib.sha256(DEMO_PDF).hexdigest(),
            uploaded_by=officer,
        )
        document.file.save("upload", ContentFile(DEMO_PDF), save=True)

    # The service content the county's agreements buy: the first items of the catalogues the platform holds (the
    # Datian plan names no catalogue of its own), so the pages, the PDF and the OCDS output show them.
    from services.models import ServiceItem

    items = list(ServiceItem.objects.order_by("domain__catalogue__code", "domain__order", "order")[:5])
    for contract in Contract.objects.filter(buyer__division_id=county_code, service_items__isnull=True):
        contract.service_items.set(items)

    draft = Contract.objects.filter(buyer__division_id=county_code, status=Contract.Status.DRAFT).order_by("pk").first()
    if draft is None or PaymentInstalment.objects.filter(contract=draft).exists():
        return
    amount = draft.amount_per_year or Decimal("300000.00")
    year = draft.start_date.year
    PaymentInstalment.objects.bulk_create(
        [
            PaymentInstalment(
                contract=draft,
                sequence=1,
                due_date=max(draft.start_date, dt.date(year, 1, 31)),
                amount=(amount * Decimal("0.5")).quantize(Decimal("0.01")),
                condition="协议签订并报备后",
            ),
            PaymentInstalment(
                contract=draft,
                sequence=2,
                due_date=min(draft.end_date, dt.date(year, 7, 31)),
                amount=(amount * Decimal("0.5")).quantize(Decimal("0.01")),
                condition="中期评估合格后",
            ),
        ]
    )
    PerformanceIndicator.objects.bulk_create(
        [
            PerformanceIndicator(contract=draft, sequence=1, name="个案服务", target="20", unit="个"),
            PerformanceIndicator(contract=draft, sequence=2, name="小组活动", target="6", unit="个"),
            PerformanceIndicator(contract=draft, sequence=3, name="服务对象满意度", target="90", unit="%"),
        ]
    )
    BreachTerm.objects.bulk_create(
        [
            BreachTerm(
                contract=draft,
                sequence=1,
                party=BreachTerm.Party.AGENCY,
                text="未按期配齐驻站社工的，甲方可按未到岗天数扣减当期服务费",
            ),
            BreachTerm(
                contract=draft,
                sequence=2,
                party=BreachTerm.Party.BUYER,
                text="未按约定时间拨付资金的，乙方可顺延相应服务期限",
            ),
        ]
    )


def _care_agreements(county_code: str) -> None:
    """Two four-party care agreements at the county's first township with a worker and an adult cared-for person in
    one of its villages: one signed this year, one draft for the next term (the pages, the edit form and the API
    have rows to show; the county's own policy does not require the four-party form, so its findings say so)."""
    from django.utils import timezone

    from accounts.models import Organisation
    from services.models import Beneficiary
    from staffing.models import SocialWorker
    from stations.models import Station

    from .models import CareAgreement

    if CareAgreement.objects.filter(village__code__startswith=county_code).exists():
        return
    today = timezone.localdate()
    adult_born_before = dt.date(today.year - 18, 1, 1)
    stations = Station.objects.filter(division__code__startswith=county_code, level=Station.Level.TOWNSHIP)
    for station in stations.order_by("division_id"):
        town = Organisation.objects.filter(kind=Organisation.Kind.TOWNSHIP, division_id=station.division_id).first()
        worker = (
            SocialWorker.objects.filter(station=station, status=SocialWorker.Status.EMPLOYED).order_by("pk").first()
        )
        person = (
            Beneficiary.objects.filter(
                station=station,
                active=True,
                division__code__startswith=station.division_id,
                division__level=5,
                birth_date__lt=adult_born_before,
            )
            .order_by("pk")
            .first()
        )
        if town is None or worker is None or person is None:
            continue
        start = dt.date(today.year, 1, 1)
        common = {
            "township": town,
            "village_id": person.division_id,
            "station": station,
            "worker": worker,
            "beneficiary": person,
            "station_legal_person": False,
            "station_head_name": "",
        }
        CareAgreement.objects.create(
            number=f"DT-HL-{today.year}-01",
            start_date=start,
            end_date=dt.date(today.year, 12, 31),
            status=CareAgreement.Status.SIGNED,
            signed_date=start,
            **common,
        )
        CareAgreement.objects.create(
            number=f"DT-HL-{today.year + 1}-01",
            start_date=dt.date(today.year + 1, 1, 1),
            end_date=dt.date(today.year + 1, 12, 31),
            **common,
        )
        return
