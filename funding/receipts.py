"""Checks on a spending receipt before anything is saved: type by content (PDF, JPG or PNG, whatever the name
says), size, no script in a PDF; a photo of a receipt is decoded and re-encoded from its pixels by the service
photo cleaner, so no metadata (GPS position, camera) is kept. Every refusal is a Chinese ``ValidationError``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

PDF_SCRIPT_MARKERS = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile")


@dataclass(frozen=True)
class Receipt:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def _read(upload: Any, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"receipt": f"票据文件不能超过 {limit // (1024 * 1024)} MB。"})
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"receipt": f"票据文件不能超过 {limit // (1024 * 1024)} MB。"})
    return bytes(data)


def clean_receipt(upload: Any) -> Receipt:
    """A checked receipt, ready to store; raises a Chinese ValidationError and saves nothing otherwise."""
    from services.photos import clean_photo

    if upload is None:
        raise ValidationError({"receipt": "请上传票据（发票或收据的 PDF、照片）。"})
    data = _read(upload, int(settings.FUNDING_RECEIPT_MAX_BYTES))
    if not data:
        raise ValidationError({"receipt": "票据文件为空。"})
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError({"receipt": "PDF 文件不完整，请重新导出后上传。"})
        if any(marker in data for marker in PDF_SCRIPT_MARKERS):
            raise ValidationError({"receipt": "PDF 中含有脚本或附件，已拒绝。"})
        return Receipt(data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    try:
        photo = clean_photo(upload)
    except ValidationError as exc:
        messages = [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms]
        if any("格式" in m for m in messages):
            raise ValidationError({"receipt": "票据只能上传 PDF、JPG 或 PNG 文件。"}) from None
        raise ValidationError({"receipt": messages}) from None
    return Receipt(photo.data, photo.content_type, photo.extension.lstrip("."), photo.sha256)
