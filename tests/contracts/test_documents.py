"""Agreement documents: checked before anything is saved, stored outside the web root, served only in scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts.models import ContractDocument
from tests.contracts.docs_support import PDF, docx, exe_as_pdf, pdf
from tests.contracts.write_cases import BAISHA, filed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client: Client, contract: Any, upload: SimpleUploadedFile, kind: str = "signed_scan") -> Any:
    return client.post(
        f"/contracts/{contract.pk}/documents/", {"kind": kind, "title": "签字盖章扫描件", "file": upload}, follow=True
    )


def test_the_bureau_uploads_a_scan_stored_privately_and_served_only_in_scope(user_client, private_dir: Path) -> None:  # type: ignore[no-untyped-def]
    contract = filed_contract()
    client = user_client("datian_bureau")
    response = _upload(client, contract, pdf())
    assert "已上传" in response.content.decode()
    document = ContractDocument.objects.get(contract=contract)
    assert document.size == len(PDF) and document.content_type == "application/pdf"
    stored = [p for p in _files(private_dir) if p.parent.name == str(contract.pk)]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert "协议扫描件" not in stored[0].name  # the uploader's name is never the path
    from django.conf import settings

    assert not str(stored[0]).startswith(str(settings.STATIC_ROOT))
    got = user_client("datian_bureau").get(f"/contracts/documents/{document.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["X-Content-Type-Options"] == "nosniff" and "attachment" in got["Content-Disposition"]
    # The agreement's agency reads it; another agency and an outside bureau get 404.
    assert user_client("agency_sunshine").get(f"/contracts/documents/{document.pk}/").status_code == 200
    assert user_client("agency_harmony").get(f"/contracts/documents/{document.pk}/").status_code == 404
    page = user_client("datian_bureau").get(f"/contracts/{contract.pk}/").content.decode()
    assert f"/contracts/documents/{document.pk}/" in page


@pytest.mark.parametrize(
    ("make", "kind", "message"),
    [
        (exe_as_pdf, "signed_scan", "文件内容与扩展名不符"),
        (lambda: docx(bomb=True), "task_book", "压缩炸弹"),
        (lambda: docx(entries=600), "task_book", "条目过多"),
        (lambda: SimpleUploadedFile("a.exe", b"MZ"), "annex", "不支持的文件格式"),
        (lambda: docx(), "signed_scan", "只能上传"),
        (lambda: SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024)), "annex", "超过 10 MB"),
    ],
)
def test_a_hostile_upload_is_refused_in_chinese_and_nothing_is_saved(  # type: ignore[no-untyped-def]
    user_client, private_dir: Path, make: Any, kind: str, message: str
) -> None:
    contract = filed_contract()
    client = user_client("datian_bureau")
    before = (ContractDocument.objects.count(), _files(private_dir))
    response = _upload(client, contract, make(), kind)
    assert message in response.content.decode()
    assert not ContractDocument.objects.filter(contract=contract).exists()
    assert (ContractDocument.objects.count(), _files(private_dir)) == before


def test_a_task_book_docx_is_accepted(user_client, private_dir: Path) -> None:  # type: ignore[no-untyped-def]
    contract = filed_contract()
    _upload(user_client("datian_bureau"), contract, docx(), "task_book")
    assert ContractDocument.objects.get(contract=contract).extension == ".docx"


def test_the_agency_uploads_to_its_own_agreement_only(user_client, private_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ours = filed_contract()
    clients = {u: user_client(u) for u in ("agency_sunshine", "agency_harmony", "junxi_town", "datian_bureau")}
    before = (ContractDocument.objects.count(), len(_files(private_dir)))
    from accounts.models import Organisation

    sunshine = Organisation.objects.get(kind=Organisation.Kind.AGENCY, name__contains="阳光")
    type(ours).objects.filter(pk=ours.pk).update(agency=sunshine, start_date=dt.date(2020, 1, 1))
    _upload(clients["agency_sunshine"], ours, pdf(), "annex")
    assert ContractDocument.objects.filter(contract=ours).count() == 1
    # Another agency, a township and an outside agreement: refused (404), nothing saved.
    assert _upload(clients["agency_harmony"], ours, pdf(), "annex").status_code == 404
    assert _upload(clients["junxi_town"], ours, pdf(), "annex").status_code == 404
    foreign = filed_contract(BAISHA)
    assert _upload(clients["datian_bureau"], foreign, pdf()).status_code == 404
    assert (ContractDocument.objects.count(), len(_files(private_dir))) == (before[0] + 1, before[1] + 1)
