"""Read-only service accounts of the indicator API: a bureau creates one for a division of its subtree (the key
shown once, audited), the key reads the two indicator endpoints within that division only, and nothing else;
an expired, revoked or unknown key answers 401."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from core.models import AuditLog
from dashboards.models import ServiceAccount
from dashboards.refresh import refresh

pytestmark = pytest.mark.django_db

YEAR = str(timezone.localdate().year)
DATIAN = "350425"


def _create(client: Client, division: str = DATIAN, **extra: str) -> tuple[int, str]:
    data = {
        "name": "三明市数据看板系统",
        "division": division,
        "expires_on": str(timezone.localdate() + dt.timedelta(days=30)),
    }
    data.update(extra)
    response = client.post("/dashboards/service-accounts/", data)
    return response.status_code, response.content.decode()


def _key(page: str) -> str:
    found = re.search(r'id="new-key" type="text" value="(zwk_[^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)


def _pull(key: str, path: str = f"/api/v1/indicator-values/?indicator=township_coverage&period={YEAR}") -> object:
    return Client().get(path, HTTP_AUTHORIZATION=f"ApiKey {key}")


def test_a_bureau_creates_an_account_whose_key_reads_only_its_scope(demo: None) -> None:
    refresh(YEAR, ["township_coverage"])
    bureau = Client()
    bureau.force_login(User.objects.get(username="datian_bureau"))
    status, page = _create(bureau)
    assert status == 200 and "接口密钥只显示这一次" in page
    key = _key(page)
    account = ServiceAccount.objects.get(key_prefix=key.split("_")[1])
    assert key not in account.key_digest and len(account.key_digest) == 64
    assert AuditLog.objects.filter(event="svc_key_create", object_id=str(account.pk)).exists()
    # Shown once: the list does not show it again.
    assert key not in bureau.get("/dashboards/service-accounts/").content.decode()

    response = _pull(key)
    assert response.status_code == 200  # type: ignore[attr-defined]
    codes = {r["division"] for r in response.json()["results"]}  # type: ignore[attr-defined]
    assert DATIAN in codes and all(c.startswith(DATIAN) for c in codes) and "35" not in codes
    csv = _pull(key, f"/api/v1/indicator-values/?indicator=township_coverage&period={YEAR}&format=csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("division,")  # type: ignore[attr-defined]
    assert _pull(key, "/api/v1/indicators/").status_code == 200  # type: ignore[attr-defined]
    # Nothing else: the key is not a login for other endpoints or pages.
    for other in ("/api/v1/stations/", "/api/v1/beneficiaries/", "/api/v1/budgets/"):
        assert _pull(key, other).status_code in (401, 403), other  # type: ignore[attr-defined]
    assert Client().get("/dashboards/", HTTP_AUTHORIZATION=f"ApiKey {key}").status_code == 302  # to the login page
    assert ServiceAccount.objects.get(pk=account.pk).last_used_at is not None

    # Revoked: 401 at once, audited.
    assert bureau.post(f"/dashboards/service-accounts/{account.pk}/revoke/").status_code == 302
    revoked = _pull(key)
    assert revoked.status_code == 401 and "吊销" in revoked.json()["detail"]  # type: ignore[attr-defined]
    assert AuditLog.objects.filter(event="svc_key_revoke", object_id=str(account.pk)).exists()


def test_expired_and_unknown_keys_answer_401(demo: None) -> None:
    bureau = Client()
    bureau.force_login(User.objects.get(username="datian_bureau"))
    key = _key(_create(bureau)[1])
    ServiceAccount.objects.filter(key_prefix=key.split("_")[1]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = _pull(key)
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]  # type: ignore[attr-defined]
    assert expired["WWW-Authenticate"].startswith("ApiKey")  # type: ignore[index]
    assert _pull("zwk_00000000_nope").status_code == 401  # type: ignore[attr-defined]
    assert _pull(key, "/api/v1/indicators/").status_code == 401  # type: ignore[attr-defined]
    assert Client().get("/api/v1/indicators/").status_code in (401, 403)


def test_a_suspended_bureaus_keys_stop_working(demo: None) -> None:
    bureau = Client()
    bureau.force_login(User.objects.get(username="datian_bureau"))
    key = _key(_create(bureau)[1])
    assert _pull(key).status_code == 200  # type: ignore[attr-defined]
    Organisation.objects.filter(users__username="datian_bureau").update(status=Organisation.Status.SUSPENDED)
    refused = _pull(key)
    assert refused.status_code == 401 and "已停用" in refused.json()["detail"]  # type: ignore[attr-defined]


def test_only_a_bureau_creates_and_only_inside_its_subtree(demo: None) -> None:
    bureau = Client()
    bureau.force_login(User.objects.get(username="datian_bureau"))
    before = ServiceAccount.objects.count()
    status, page = _create(bureau, division="350424")  # another county
    assert status == 200 and "请从列表中选择数据范围" in page
    status, page = _create(bureau, expires_on=str(timezone.localdate()))
    assert "有效期应晚于今天" in page
    status, page = _create(bureau, expires_on=str(timezone.localdate() + dt.timedelta(days=4000)))
    assert "有效期最长" in page
    assert ServiceAccount.objects.count() == before
    for username in ("junxi_town", "agency_sunshine", "evaluator"):
        other = Client()
        other.force_login(User.objects.get(username=username))
        assert other.get("/dashboards/service-accounts/").status_code == 404
        assert _create(other)[0] == 404
    assert ServiceAccount.objects.count() == before


def test_a_key_is_revoked_by_its_bureau_or_one_above_never_below(demo: None) -> None:
    from django.core.exceptions import PermissionDenied

    from dashboards.actions import service_account_create, service_account_revoke
    from stations.models import Division

    province = User.objects.get(username="fj_province")
    account, _ = service_account_create(
        acting_user=province,
        name="省厅看板（大田县）",
        division=Division.objects.get(code=DATIAN),
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    county = Client()
    county.force_login(User.objects.get(username="datian_bureau"))
    page = county.get("/dashboards/service-accounts/").content.decode()
    assert "省厅看板（大田县）" in page and "由上级创建" in page  # the county sees who reads its figures
    with pytest.raises(PermissionDenied, match="上级民政部门"):
        service_account_revoke(acting_user=User.objects.get(username="datian_bureau"), account=account)
    county.post(f"/dashboards/service-accounts/{account.pk}/revoke/")
    assert ServiceAccount.objects.get(pk=account.pk).status == ServiceAccount.Status.ACTIVE
    service_account_revoke(acting_user=province, account=account)
    assert ServiceAccount.objects.get(pk=account.pk).status == ServiceAccount.Status.REVOKED


def test_the_csv_never_carries_a_formula(demo: None) -> None:
    from stations.models import Division

    town = Division.objects.filter(code__startswith=DATIAN, level=Division.Level.TOWNSHIP).order_by("code").first()
    assert town is not None
    Division.objects.filter(pk=town.pk).update(name='=HYPERLINK("http://x","均溪")')
    refresh(YEAR, ["township_coverage"])
    bureau = Client()
    bureau.force_login(User.objects.get(username="datian_bureau"))
    url = f"/api/v1/indicator-values/?indicator=township_coverage&period={YEAR}&level=township&format=csv&limit=100"
    text = bureau.get(url).content.decode()
    assert "'=HYPERLINK" in text and "\n" + town.code + ",=" not in text
