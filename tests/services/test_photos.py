"""Evidence photos: type by content, size, pixel count and a decodable image checked; metadata (GPS) stripped;
stored privately; served only in scope (a photo of anything but an adult's visit only to the roles that serve
children); the visit and its photo saved together or not at all."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from services import actions as sa
from services.models import ServicePhoto, ServiceRecord, Visit
from tests.services.write_cases import OK, listed_item, person, sunshine_station

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE = 0x010F


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def jpeg_with_gps(size: tuple[int, int] = (640, 480), name: str = "现场.jpg") -> SimpleUploadedFile:
    """A camera photo: EXIF with the maker and a GPS position (Datian county)."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (25.0, 41.0, 30.0)
    gps[3] = "E"
    gps[4] = (117.0, 50.0, 50.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert b"PhoneCam" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def png(size: tuple[int, int] = (32, 32)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 0, 0)).save(out, format="PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def _visit_record(birth: dt.date = dt.date(1950, 1, 1)) -> ServiceRecord:
    who = person()
    who.birth_date = birth
    who.save(update_fields=["birth_date"])
    from accounts.models import User

    visit = sa.visit_create(
        acting_user=User.objects.get(username="agency_sunshine"),
        beneficiary=who,
        date=timezone.localdate(),
        checks=OK,
    )
    return visit.record


def _group_record() -> ServiceRecord:
    from accounts.models import User

    return sa.record_create(
        acting_user=User.objects.get(username="agency_sunshine"),
        station=sunshine_station(),
        data={
            "kind": "group",
            "date": timezone.localdate(),
            "hours": "2",
            "title": "小组活动",
            "participants": 8,
            "item": listed_item(),
        },
    )


def test_a_photo_loses_its_gps_and_camera_data_and_is_served_only_in_scope(user_client, private_dir: Path) -> None:  # type: ignore[no-untyped-def]
    record = _visit_record()
    agency = user_client("agency_sunshine")
    response = agency.post(f"/services/records/{record.pk}/photos/", {"photo": jpeg_with_gps()}, follow=True)
    assert "照片已保存" in response.content.decode()
    photo = ServicePhoto.objects.get(record=record)
    stored = _files(private_dir)
    assert len(stored) == 1 and str(private_dir) in str(stored[0])
    data = stored[0].read_bytes()
    assert b"PhoneCam" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert image.size == (640, 480) == (photo.width, photo.height)
    # The agency and the township of an adult's visit see it; another county's township does not.
    shown = agency.get(f"/services/photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff" and "no-store" in shown["Cache-Control"]
    assert b"".join(shown.streaming_content) == data
    assert user_client("junxi_town").get(f"/services/photos/{photo.pk}/").status_code == 200
    assert user_client("shipai_town").get(f"/services/photos/{photo.pk}/").status_code == 404
    assert f"/services/photos/{photo.pk}/" in agency.get(f"/services/visits/{record.visit.pk}/").content.decode()


def test_photos_of_a_child_or_of_group_work_only_for_those_who_serve_children(user_client) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    agency = User.objects.get(username="agency_sunshine")
    today = timezone.localdate()
    child = sa.photo_add(
        acting_user=agency, record=_visit_record(birth=today.replace(year=today.year - 8)), upload=png()
    )
    group = sa.photo_add(acting_user=agency, record=_group_record(), upload=png())
    for pk in (child.pk, group.pk):
        assert user_client("junxi_town").get(f"/services/photos/{pk}/").status_code == 404
        assert user_client("agency_sunshine").get(f"/services/photos/{pk}/").status_code == 200
        assert user_client("datian_bureau").get(f"/services/photos/{pk}/").status_code == 200
    # The record API lists only the photos the caller may see.
    rows = user_client("junxi_town").get(f"/api/v1/service-records/{group.record_id}/").json()
    assert rows["photos"] == []
    mine = user_client("agency_sunshine").get(f"/api/v1/service-records/{group.record_id}/").json()
    assert [p["id"] for p in mine["photos"]] == [group.pk]


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (SimpleUploadedFile("伪装.jpg", b"MZ\x90\x00 not an image" * 10, content_type="image/jpeg"), "JPG 或 PNG"),
        (SimpleUploadedFile("坏图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, content_type="image/jpeg"), "损坏"),
        (SimpleUploadedFile("空.png", b"", content_type="image/png"), "空文件"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_nothing_saved(
    user_client,  # type: ignore[no-untyped-def]
    private_dir: Path,
    upload: SimpleUploadedFile,
    says: str,
) -> None:
    record = _visit_record()
    response = user_client("agency_sunshine").post(
        f"/services/records/{record.pk}/photos/", {"photo": upload}, follow=True
    )
    assert says in response.content.decode()
    assert not ServicePhoto.objects.exists() and _files(private_dir) == []


def test_size_pixels_and_count_are_bounded(settings: Any, private_dir: Path) -> None:
    from django.core.exceptions import ValidationError

    from accounts.models import User

    agency = User.objects.get(username="agency_sunshine")
    record = _visit_record()
    settings.SERVICE_PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="MB"):
        sa.photo_add(acting_user=agency, record=record, upload=jpeg_with_gps())
    settings.SERVICE_PHOTO_MAX_BYTES = 8 * 1024 * 1024
    # A small file declaring a huge image (a decompression bomb) is refused before its pixels are decoded.
    settings.SERVICE_PHOTO_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="像素过大"):
        sa.photo_add(acting_user=agency, record=record, upload=png((40, 40)))
    settings.SERVICE_PHOTO_MAX_PIXELS = 40_000_000
    # Large photos are scaled down to the longest side kept.
    settings.SERVICE_PHOTO_MAX_SIDE = 100
    big = sa.photo_add(acting_user=agency, record=record, upload=png((400, 200)))
    assert (big.width, big.height) == (100, 50)
    settings.SERVICE_PHOTO_MAX_PER_RECORD = 2
    sa.photo_add(acting_user=agency, record=record, upload=png())
    with pytest.raises(ValidationError, match="最多 2 张"):
        sa.photo_add(acting_user=agency, record=record, upload=png())
    assert ServicePhoto.objects.filter(record=record).count() == 2
    assert len(_files(private_dir)) == 2


def test_a_visit_and_its_photo_are_saved_together_or_not_at_all(user_client, private_dir: Path) -> None:  # type: ignore[no-untyped-def]
    who = person()
    client = user_client("agency_sunshine")
    form = {"date": str(timezone.localdate()), "hours": "0.5", "client_key": "6f1d7c1e-8a4b-4d7e-9a51-0c2b9c1f2e3a"}
    form.update({f"check_{code}": "ok" for code in OK})
    refused = client.post(
        f"/services/beneficiaries/{who.public_id}/visit/",
        {**form, "photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
    )
    assert refused.status_code == 400 and "JPG 或 PNG" in refused.content.decode()
    assert not Visit.objects.filter(beneficiary=who).exists() and _files(private_dir) == []
    saved = client.post(f"/services/beneficiaries/{who.public_id}/visit/", {**form, "photo": jpeg_with_gps()})
    assert saved.status_code == 302
    visit = Visit.objects.get(beneficiary=who)
    assert ServicePhoto.objects.filter(record=visit.record).count() == 1


def test_the_api_adds_a_photo_and_refuses_out_of_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    record = _visit_record()
    agency = user_client("agency_sunshine")
    made = agency.post(f"/api/v1/service-records/{record.pk}/photos/", {"photo": png()})
    assert made.status_code == 201, made.content
    assert made.json()["url"] == f"/services/photos/{made.json()['id']}/"
    assert (
        user_client("agency_harmony").post(f"/api/v1/service-records/{record.pk}/photos/", {"photo": png()}).status_code
        == 404
    )
    bad = agency.post(f"/api/v1/service-records/{record.pk}/photos/", {"photo": SimpleUploadedFile("a.png", b"x")})
    assert bad.status_code == 400 and "photo" in bad.json()
