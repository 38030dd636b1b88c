"""Personal data through HTTP: masked pages, API and Excel; unmask and clear export need the role, the scope
and a stated reason, and leave an audit row naming the subject; children's records only for the roles that
serve them; UUIDs in URLs."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from core.models import AuditLog
from core.personal.access import unmask
from core.personal.idnumber import under
from core.personal.masking import mask_id_number, mask_phone
from core.scoping import scope_of
from tests import oracle
from tests.personal_app.fixtures import make_id_number, years_ago
from tests.personal_app.models import Person

pytestmark = pytest.mark.django_db

REASON = {"reason": "verify", "reason_text": "核实低保申请人身份"}


def adult_in(prefix: str) -> Person:
    today = timezone.localdate()
    return next(
        p
        for p in Person.objects.filter(division__code__startswith=prefix).exclude(id_number="")
        if not under(p.birth_date, 14, today)
    )


def child_in(prefix: str) -> Person:
    today = timezone.localdate()
    return next(
        p
        for p in Person.objects.filter(division__code__startswith=prefix).exclude(id_number="")
        if under(p.birth_date, 14, today)
    )


def junxi() -> str:
    organisation = User.objects.get(username="junxi_town").organisation
    assert organisation is not None
    return organisation.division_id


def test_list_and_detail_pages_are_masked(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    body = client.get("/personal-test/people/").content.decode()
    person = adult_in("350425")
    assert person.name in body
    assert person.id_number not in body and person.phone not in body
    assert mask_id_number(person.id_number) in body and mask_phone(person.phone) in body
    detail = client.get(f"/personal-test/people/{person.public_id}/")
    text = detail.content.decode()
    assert detail["Cache-Control"] == "no-store"
    assert person.id_number not in text and person.address not in text
    assert mask_id_number(person.id_number) in text
    assert "****" in text  # the address below the village is hidden


def test_api_is_masked_and_uses_public_ids(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    rows = client.get("/personal-test/api/people/?limit=100").json()["results"]
    person = adult_in("350425")
    row = next(r for r in rows if r["id"] == str(person.public_id))
    assert row["id_number"] == mask_id_number(person.id_number)
    assert row["phone"] == mask_phone(person.phone)
    assert person.address not in str(rows) and person.id_number not in str(rows)
    assert client.get(f"/personal-test/api/people/{person.public_id}/").json()["id_number"].count("*") == 8


def test_ids_in_urls_are_not_sequential(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    person = adult_in("350425")
    body = client.get("/personal-test/people/").content.decode()
    assert f'href="/personal-test/people/{person.public_id}/"' in body
    assert not re.search(r'href="/personal-test/people/\d+/"', body)
    assert client.get(f"/personal-test/people/{person.pk}/").status_code == 404
    assert client.get(f"/personal-test/api/people/{person.pk}/").status_code == 404
    assert client.get(f"/personal-test/people/{uuid.uuid4()}/").status_code == 404
    ids = list(Person.objects.values_list("public_id", flat=True))
    assert len({i.int >> 64 for i in ids}) == len(ids)  # random, not a counter


def test_masked_excel_export_keeps_text_as_strings(user_client, bureau, village) -> None:  # type: ignore[no-untyped-def]
    Person.objects.create(division=village, name='=HYPERLINK("http://x")', phone="13800005555")
    client = user_client("datian_bureau")
    response = client.get("/personal-test/people/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "身份证号码", "联系电话", "住址")
    cells = {c.value: c for row in sheet.iter_rows() for c in row}
    formula = cells['=HYPERLINK("http://x")']
    assert formula.data_type == "s"  # written as text, never as a formula
    person = adult_in("350425")
    values = [v for row in rows for v in row]
    assert person.id_number not in values and mask_id_number(person.id_number) in values
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_col=2, max_col=4) for c in row if c.value)
    row = AuditLog.objects.filter(event="export", object_type="personal_app.Person").latest("pk")
    assert row.changes["clear"] is False and row.username == "datian_bureau"
    assert row.division_code == "350425"  # the county bureau reads it in its audit trail


def test_unmask_without_reason_is_refused(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    person = adult_in("350425")
    before = AuditLog.objects.filter(event="unmask").count()
    url = f"/personal-test/people/{person.public_id}/unmask/"
    page = client.get(url)
    assert page.status_code == 200 and person.id_number not in page.content.decode()
    for data in [
        {},
        {"reason": "verify"},
        {"reason": "verify", "reason_text": "  "},
        {"reason": "nope", "reason_text": "核实身份信息"},
    ]:
        response = client.post(url, data)
        assert response.status_code == 400
        assert person.id_number not in response.content.decode()
    assert "请具体说明事由" in client.post(url, {"reason": "verify"}).content.decode()
    api = client.post(
        f"/personal-test/api/people/{person.public_id}/unmask/", {"reason": "verify"}, content_type="application/json"
    )
    assert api.status_code == 400 and person.id_number not in api.content.decode()
    assert AuditLog.objects.filter(event="unmask").count() == before


def test_unmask_answers_clear_values_and_audits_subject_and_reason(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    person = adult_in(junxi())
    response = client.post(f"/personal-test/people/{person.public_id}/unmask/", REASON)
    assert response.status_code == 200
    body = response.content.decode()
    assert person.id_number in body and person.phone in body and person.address in body
    assert response["Cache-Control"] == "no-store"
    row = AuditLog.objects.filter(event="unmask").latest("pk")
    assert row.username == "junxi_town"
    assert (row.subject_type, row.subject_id) == ("personal_app.Person", str(person.public_id))
    assert row.changes["reason"] == "verify" and row.changes["reason_text"] == "核实低保申请人身份"
    assert row.changes["fields"] == ["id_number", "phone", "address"]
    assert row.division_code == person.division_id
    assert person.id_number not in str(row.changes)
    # Through the API, for one field.
    api = client.post(
        f"/personal-test/api/people/{person.public_id}/unmask/",
        {**REASON, "fields": ["phone"]},
        content_type="application/json",
    )
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"
    assert api.json()["values"] == {"phone": person.phone}
    audit = AuditLog.objects.get(pk=api.json()["audit_id"])
    assert audit.subject_id == str(person.public_id) and audit.changes["fields"] == ["phone"]


@pytest.mark.parametrize(
    ("username", "where"),
    [
        ("agency_sunshine", "own"),  # may view, may not unmask: wrong role
        ("evaluator", "own"),
        ("fj_province", "own"),
        ("shipai_town", "junxi"),  # right role, other township: out of scope
    ],
)
def test_wrong_role_or_out_of_scope_is_404(user_client, username: str, where: str) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    visible = Person.objects.for_user(user)
    person = visible.exclude(id_number="").first() if where == "own" else adult_in(junxi())
    if person is None:
        pytest.skip(f"{username} sees nobody")
    client = user_client(username)
    before = AuditLog.objects.filter(event="unmask").count()
    assert client.get(f"/personal-test/people/{person.public_id}/unmask/").status_code == 404
    assert client.post(f"/personal-test/people/{person.public_id}/unmask/", REASON).status_code == 404
    api = client.post(f"/personal-test/api/people/{person.public_id}/unmask/", REASON, content_type="application/json")
    assert api.status_code == 404
    assert AuditLog.objects.filter(event="unmask").count() == before


def test_children_are_hidden_from_roles_that_do_not_serve_them(user_client) -> None:  # type: ignore[no-untyped-def]
    child = child_in(junxi())
    unknown = Person.objects.get(name="未知生日")
    for username, sees in [
        ("datian_bureau", True),
        ("agency_sunshine", None),
        ("junxi_town", False),
        ("fj_province", False),
    ]:
        user = User.objects.get(username=username)
        client = user_client(username)
        listed = client.get("/personal-test/api/people/?limit=100").json()["results"]
        ids = {r["id"] for r in listed}
        if sees is None:  # the agency sees the child when its station covers the place
            sees = Person.objects.for_user(user).filter(pk=child.pk).exists()
            assert sees == any(child.division_id.startswith(r) for r in scope_of(user).roots)
        assert (str(child.public_id) in ids) is sees, username
        status = client.get(f"/personal-test/people/{child.public_id}/").status_code
        assert status == (200 if sees else 404), username
        if not sees:
            assert str(unknown.public_id) not in ids  # unknown birth date: treated as a child
    # The township may unmask adults of its township but not its children.
    town = user_client("junxi_town")
    assert town.post(f"/personal-test/people/{child.public_id}/unmask/", REASON).status_code == 404
    assert (
        user_client("datian_bureau").post(f"/personal-test/people/{child.public_id}/unmask/", REASON).status_code == 200
    )


def test_clear_export_needs_the_export_role_and_a_reason(user_client) -> None:  # type: ignore[no-untyped-def]
    assert user_client("junxi_town").get("/personal-test/people/export/").status_code == 404
    assert user_client("junxi_town").post("/personal-test/people/export/", REASON).status_code == 404
    client = user_client("datian_bureau")
    assert client.get("/personal-test/people/export/").status_code == 200
    assert client.post("/personal-test/people/export/", {"reason": "verify"}).status_code == 400
    before = AuditLog.objects.filter(event="export").count()
    response = client.post("/personal-test/people/export/", REASON)
    assert response.status_code == 200
    values = [v for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for v in row]
    person = adult_in("350425")
    assert person.id_number in values
    exported = Person.objects.for_user(User.objects.get(username="datian_bureau"), "export")
    rows = AuditLog.objects.filter(event="export").order_by("pk")[before:]
    assert {r.subject_id for r in rows} == {str(p.public_id) for p in exported}
    assert all(r.changes["reason_text"] == "核实低保申请人身份" and r.changes["clear"] for r in rows)


def test_audit_admin_filters_by_subject(user_client) -> None:  # type: ignore[no-untyped-def]
    person = adult_in(junxi())
    other = adult_in("350425")
    user_client("datian_bureau").post(f"/personal-test/people/{person.public_id}/unmask/", REASON)
    admin = user_client("admin")
    page = admin.get(f"/admin/core/auditlog/?subject={person.public_id}")
    assert page.status_code == 200
    body = page.content.decode()
    assert str(person.public_id) in body and "查看明文" in body
    rows = page.context["cl"].result_list
    assert rows and all(r.subject_id == str(person.public_id) for r in rows)
    if other.pk != person.pk:
        assert all(r.subject_id != str(other.public_id) for r in rows)
    assert 'name="subject"' in admin.get("/admin/core/auditlog/").content.decode()


def test_pdf_helper_renders_masked_values(bureau) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    from core.personal.exports import pdf_bytes

    person = adult_in("350425")
    context = {"people": [person]}
    html = render_to_string("personal_app/person_pdf.html", context)
    assert mask_id_number(person.id_number) in html and person.id_number not in html
    assert pdf_bytes("personal_app/person_pdf.html", context).startswith(b"%PDF")


def test_new_person_gets_id_number_facts(bureau, village) -> None:  # type: ignore[no-untyped-def]
    number = make_id_number("350425", years_ago(40), 413)  # 41st digit odd → man
    person = Person(division=village, name="测", id_number=number)
    person.full_clean()
    assert person.sex == "M" and person.birth_date == years_ago(40)


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_unmask_matrix(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    """Every role against every person through the API: 200 exactly where the oracle allows, else 404."""
    user = User.objects.get(username=username)
    allowed = oracle.person_unmask_ids(user)
    client = user_client(username)
    for person in Person.objects.all():
        response = client.post(
            f"/personal-test/api/people/{person.public_id}/unmask/", REASON, content_type="application/json"
        )
        expected = 200 if str(person.public_id) in allowed else 404
        assert response.status_code == expected, (username, person.name, response.status_code)
    assert AuditLog.objects.filter(event="unmask", user=user).count() == len(allowed)


def test_the_action_itself_refuses_a_missing_reason(bureau) -> None:  # type: ignore[no-untyped-def]
    """Defence in depth: ``access.unmask`` checks the reason whatever the caller's form did."""
    person = adult_in("350425")
    for reason, text in [("", "核实身份信息"), ("verify", ""), ("verify", "abc"), ("bogus", "核实身份信息")]:
        with pytest.raises(ValidationError):
            unmask(acting_user=bureau, obj=person, reason=reason, reason_text=text)
    assert not AuditLog.objects.filter(event="unmask").exists()
    assert unmask(acting_user=bureau, obj=person, reason="verify", reason_text="核实身份信息").values["id_number"]


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_lookup_by_post_finds_only_what_the_user_sees(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    visible = oracle.person_ids(user)
    client = user_client(username)
    assert client.get("/personal-test/people/search/").status_code == 200
    for person in Person.objects.exclude(id_number=""):
        response = client.post("/personal-test/people/search/", {"id_number": person.id_number.lower()})
        body = response.content.decode()
        assert response.status_code == 200
        assert person.id_number not in body
        found = f'href="/personal-test/people/{person.public_id}/"' in body
        assert found is (str(person.public_id) in visible), (username, person.name)
    assert client.post("/personal-test/people/search/", {}).status_code == 400


def test_admin_shows_personal_fields_masked_and_read_only(user_client) -> None:  # type: ignore[no-untyped-def]
    person = adult_in("350425")
    client = user_client("admin")
    listing = client.get("/admin/personal_app/person/").content.decode()
    assert mask_id_number(person.id_number) in listing and person.id_number not in listing
    page = client.get(f"/admin/personal_app/person/{person.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert mask_id_number(person.id_number) in body
    assert person.id_number not in body and person.phone not in body and person.address not in body
    assert 'name="id_number"' not in body and 'name="id_number_hash"' not in body


def test_person_list_query_count_does_not_grow(user_client, django_assert_max_num_queries, village) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    # 9: the page, plus the nav bar's unread-message count (obligations context processor).
    with django_assert_max_num_queries(9):
        assert client.get("/personal-test/people/").status_code == 200
    for n in range(10):
        Person.objects.create(division=village, name=f"加{n}", phone=f"1390000{n:04d}")
    with django_assert_max_num_queries(9):
        assert client.get("/personal-test/people/").status_code == 200
    with django_assert_max_num_queries(8):  # the API has no nav bar
        assert client.get("/personal-test/api/people/").status_code == 200


def test_clear_export_refuses_rows_outside_the_export_scope(demo) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from core.personal.access import export_clear

    bureau = User.objects.get(username="datian_bureau")
    outside = Person.objects.get(name="县外成人")
    inside = adult_in("350425")
    with pytest.raises(PermissionDenied):
        export_clear(acting_user=bureau, objects=[inside, outside], model=Person, **REASON)
    town = User.objects.get(username="junxi_town")  # sees the person, holds no export role
    with pytest.raises(PermissionDenied):
        export_clear(acting_user=town, objects=[adult_in(junxi())], model=Person, **REASON)
    assert not AuditLog.objects.filter(event="export").exists()
    assert export_clear(acting_user=bureau, objects=[inside], model=Person, **REASON) == [inside]
    assert AuditLog.objects.filter(event="export", subject_id=str(inside.public_id)).count() == 1
