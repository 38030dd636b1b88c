"""Encrypted fields on a real model: the database holds ciphertext, lookups go through the keyed hash, an
identity number is registered once."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import IntegrityError, connection, transaction

from core.models import AuditLog
from core.personal import crypto
from tests.personal_app.actions import person_create
from tests.personal_app.models import Person

pytestmark = pytest.mark.django_db


def raw_row(person: Person) -> dict[str, str]:
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone, address, id_number_hash FROM {table} WHERE id = %s",  # noqa: S608 - table name from the model
            [person.pk],
        )
        row = cursor.fetchone()
    return dict(zip(["id_number", "phone", "address", "id_number_hash"], row, strict=True))


def test_round_trip_and_ciphertext_in_the_database(bureau, village, new_id) -> None:  # type: ignore[no-untyped-def]
    person = person_create(
        acting_user=bureau,
        data={"division": village, "name": "王五", "id_number": new_id.lower(), "phone": "138 0000 9999",
              "address": "福建省三明市大田县均溪镇许思坑村3组12号"},
    )  # fmt: skip
    raw = raw_row(person)
    assert raw["id_number"].startswith(crypto.keyring().current_id + ":")
    assert new_id not in raw["id_number"] and new_id[-6:] not in raw["id_number"]
    assert "13800009999" not in raw["phone"] and "许思坑" not in raw["address"]
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.id_number == new_id  # normalised: upper-case X, no spaces
    assert fresh.phone == "13800009999"
    assert fresh.address == "福建省三明市大田县均溪镇许思坑村3组12号"
    assert fresh.birth_date is not None and fresh.sex in ("M", "F")
    assert len(raw["id_number_hash"]) == 64


def test_ciphertext_moved_to_another_column_does_not_open(bureau, village, new_id) -> None:  # type: ignore[no-untyped-def]
    person = person_create(
        acting_user=bureau, data={"division": village, "name": "甲", "id_number": new_id, "phone": "13800001111"}
    )
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = id_number WHERE id = %s", [person.pk])  # noqa: S608
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_lookup_by_keyed_hash(bureau, village, new_id) -> None:  # type: ignore[no-untyped-def]
    person = person_create(
        acting_user=bureau, data={"division": village, "name": "乙", "id_number": new_id, "phone": "13800002222"}
    )
    assert list(Person.objects.filter(Person.lookup_q("id_number", f" {new_id.lower()} "))) == [person]
    assert list(Person.objects.filter(Person.lookup_q("phone", "+86 138-0000-2222"))) == [person]
    assert not Person.objects.filter(Person.lookup_q("phone", "13800002223")).exists()
    assert not Person.objects.filter(Person.lookup_q("phone", "")).exists()


def test_filtering_on_the_encrypted_column_is_refused() -> None:
    with pytest.raises(FieldError, match="LookupHashField"):
        Person.objects.filter(id_number="350425199001011234").exists()
    with pytest.raises(FieldError):
        Person.objects.filter(phone__startswith="138").exists()
    assert Person.objects.filter(id_number="").exists()  # "no number" is answerable


def test_an_identity_number_is_registered_once(bureau, village, new_id) -> None:  # type: ignore[no-untyped-def]
    person_create(acting_user=bureau, data={"division": village, "name": "丙", "id_number": new_id})
    with pytest.raises(ValidationError) as exc:
        person_create(acting_user=bureau, data={"division": village, "name": "丁", "id_number": new_id.lower()})
    assert exc.value.message_dict["id_number"] == ["该身份证号码已登记，请勿重复录入。"]
    # The database refuses it too, whoever skips full_clean().
    with pytest.raises(IntegrityError), transaction.atomic():
        Person(division=village, name="戊", id_number=new_id).save()
    # Many people without a number are fine (NULL hashes).
    person_create(acting_user=bureau, data={"division": village, "name": "己"})
    person_create(acting_user=bureau, data={"division": village, "name": "庚"})


def test_invalid_values_are_refused_with_chinese_messages(bureau, village) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        person_create(
            acting_user=bureau,
            data={"division": village, "name": "辛", "id_number": "350425199001011230", "phone": "123"},
        )
    assert "校验位" in exc.value.message_dict["id_number"][0]
    assert "手机号码" in exc.value.message_dict["phone"][0]
    assert not Person.objects.filter(name="辛").exists()


def test_hash_follows_the_value_on_partial_saves(bureau, village) -> None:  # type: ignore[no-untyped-def]
    person = person_create(acting_user=bureau, data={"division": village, "name": "壬", "phone": "13800003333"})
    person.phone = "13800004444"
    person.save(update_fields=["phone"])
    assert Person.objects.filter(Person.lookup_q("phone", "13800004444")).get() == person
    assert not Person.objects.filter(Person.lookup_q("phone", "13800003333")).exists()


def test_model_serializers_mask_encrypted_fields_by_default() -> None:
    """A serializer that lists ``id_number`` without declaring a field still answers the masked value."""
    from rest_framework import serializers

    class Plain(serializers.ModelSerializer):
        class Meta:
            model = Person
            fields = ["name", "id_number", "phone", "address"]

    person = Person.objects.exclude(id_number="").first()
    assert person is not None
    data = Plain(person).data
    assert data["id_number"] == person.masked("id_number") and "*" in data["id_number"]
    assert data["phone"] == person.masked("phone")
    assert person.address not in data["address"]


def test_audit_snapshots_never_hold_clear_values(bureau, village, new_id) -> None:  # type: ignore[no-untyped-def]
    from core import audit

    person = person_create(acting_user=bureau, data={"division": village, "name": "癸", "id_number": new_id})
    before = audit.snapshot(person)
    assert new_id not in str(before) and "id_number_hash" not in before
    assert before["id_number"].startswith(new_id[:6] + "********")
    person.phone = "13800006666"
    changes = audit.diff(before, audit.snapshot(person))
    assert set(changes) == {"phone"} and "13800006666" not in str(changes)
    row = AuditLog.objects.filter(object_type="personal_app.Person", event="create").latest("pk")
    assert row.subject_id == str(person.public_id) and new_id not in str(row.changes)


def test_every_write_path_seals_the_value(bureau, village) -> None:  # type: ignore[no-untyped-def]
    a = person_create(acting_user=bureau, data={"division": village, "name": "子", "phone": "13800007001"})
    b = person_create(acting_user=bureau, data={"division": village, "name": "丑", "phone": "13800007002"})
    a.phone, b.phone = "13800007011", "13800007012"
    Person.objects.bulk_update([a, b], ["phone"])
    Person.objects.filter(pk=a.pk).update(address="福建省三明市大田县均溪镇某村1号")
    for person in (a, b):
        raw = raw_row(person)
        assert raw["phone"].startswith(crypto.keyring().current_id + ":") and "1380000701" not in raw["phone"]
    assert "某村" not in raw_row(a)["address"]
    assert Person.objects.get(pk=b.pk).phone == "13800007012"
    assert Person.objects.get(pk=a.pk).address == "福建省三明市大田县均溪镇某村1号"


# --- the bulk paths keep the lookup hashes in step (core.personal.models.PersonalQuerySet) -------------------


@pytest.mark.django_db
def test_update_refuses_encrypted_fields_and_bulk_update_rehashes(demo: None) -> None:
    from django.core.exceptions import FieldError

    from tests.personal_app.models import Person

    person = Person.objects.create(division_id="350425", name="批量测试", phone="13800138000")
    with pytest.raises(FieldError, match="lookup hashes"):
        Person.objects.filter(pk=person.pk).update(phone="13900139000")
    Person.objects.filter(pk=person.pk).update(name="批量测试二")  # plain fields still update

    person.phone = "13900139000"
    Person.objects.bulk_update([person], ["phone"])
    assert Person.objects.filter(Person.lookup_q("phone", "13900139000")).get().pk == person.pk
    assert not Person.objects.filter(Person.lookup_q("phone", "13800138000")).exists()


def test_every_personal_model_has_a_personal_manager() -> None:
    from core.personal.checks import check_personal_managers

    assert check_personal_managers() == []
