"""Checks on an uploaded agreement document before anything is saved: type by content (not by the name the
browser sends), size, and for Office files (a zip) the number of entries, the unpacked size and the packing
ratio, so a zip bomb is refused without unpacking it. Every refusal is a Chinese ``ValidationError``."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import ContractDocument

# Office Open XML: limits on what a legitimate contract document holds.
MAX_ZIP_ENTRIES = 500
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # an entry unpacking to more than 100 times its packed size is a bomb, not a document

FORMATS: dict[str, tuple[str, str]] = {
    # format -> (extension, content type)
    "pdf": (".pdf", "application/pdf"),
    "jpeg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
LABELS = {"pdf": "PDF", "jpeg": "JPG 图片", "png": "PNG 图片", "docx": "Word（docx）", "xlsx": "Excel（xlsx）"}
ALLOWED: dict[str, tuple[str, ...]] = {
    ContractDocument.Kind.SIGNED_SCAN: ("pdf", "jpeg", "png"),
    ContractDocument.Kind.TASK_BOOK: ("pdf", "docx"),
    ContractDocument.Kind.ANNEX: ("pdf", "jpeg", "png", "docx", "xlsx"),
    ContractDocument.Kind.EVALUATION_REPORT: ("pdf", "jpeg", "png", "docx"),
}
EXTENSIONS = {
    ".pdf": "pdf",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".docx": "docx",
    ".xlsx": "xlsx",
}


@dataclass(frozen=True)
class Checked:
    data: bytes
    format: str
    extension: str
    content_type: str
    size: int
    sha256: str


def allowed_text(kind: str) -> str:
    return "、".join(LABELS[f] for f in ALLOWED[kind])


def _read(upload: Any, limit: int) -> bytes:
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError({"file": f"文件超过 {limit // (1024 * 1024)} MB，请压缩后再上传。"})
    chunks: list[bytes] = []
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": f"文件超过 {limit // (1024 * 1024)} MB，请压缩后再上传。"})
        chunks.append(chunk)
    return b"".join(chunks)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _office(data: bytes, claimed: str) -> str:
    """The Office format of a zip, after the bomb checks; refuses a zip that is not a docx/xlsx."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError({"file": "文件已损坏，无法识别为 Word 或 Excel 文档。"}) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ValidationError({"file": f"文档内部包含的条目过多（超过 {MAX_ZIP_ENTRIES} 个），已拒绝。"})
    unpacked = 0
    for info in infos:
        unpacked += info.file_size
        if unpacked > MAX_UNPACKED_BYTES:
            raise ValidationError({"file": "文档解压后过大，疑似压缩炸弹，已拒绝。"})
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise ValidationError({"file": "文档压缩比异常，疑似压缩炸弹，已拒绝。"})
        if info.flag_bits & 0x1:
            raise ValidationError({"file": "文档已加密，请上传未加密的文件。"})
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise ValidationError({"file": "文件不是有效的 Word 或 Excel 文档。"})
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ValidationError({"file": "文档包含宏，已拒绝；请另存为不含宏的 docx 或 xlsx 后上传。"})
    if "word/document.xml" in names:
        found = "docx"
    elif "xl/workbook.xml" in names:
        found = "xlsx"
    else:
        raise ValidationError({"file": "文件不是有效的 Word 或 Excel 文档。"})
    if claimed and claimed != found:
        raise ValidationError({"file": "文件扩展名与文件内容不一致。"})
    return found


def check_upload(upload: Any, kind: str) -> Checked:
    """Read and check an upload for a document of ``kind``; raises a Chinese ValidationError, saves nothing."""
    if kind not in ALLOWED:
        raise ValidationError({"kind": "请选择文件类型。"})
    if upload is None:
        raise ValidationError({"file": "请选择要上传的文件。"})
    name = str(getattr(upload, "name", "") or "")
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    claimed = EXTENSIONS.get(ext)
    if claimed is None:
        raise ValidationError(
            {"file": f"不支持的文件格式；{ContractDocument.Kind(kind).label}可上传{allowed_text(kind)}。"}
        )
    data = _read(upload, int(settings.CONTRACT_DOCUMENT_MAX_BYTES))
    if not data:
        raise ValidationError({"file": "文件为空。"})
    sniffed = _sniff(data)
    if sniffed == "zip":
        sniffed = _office(data, claimed if claimed in ("docx", "xlsx") else "")
    if sniffed is None or sniffed != claimed:
        raise ValidationError({"file": "文件内容与扩展名不符，或不是支持的格式。"})
    if sniffed not in ALLOWED[kind]:
        raise ValidationError({"file": f"{ContractDocument.Kind(kind).label}只能上传{allowed_text(kind)}。"})
    if sniffed == "pdf" and any(marker in data for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch")):
        raise ValidationError({"file": "PDF 中含有脚本，已拒绝。"})
    extension, content_type = FORMATS[sniffed]
    return Checked(data, sniffed, extension, content_type, len(data), hashlib.sha256(data).hexdigest())


def latest_evaluation_report(contract: Any) -> ContractDocument | None:
    """The agreement's most recent evaluation report (the document a by-hand renewal outcome rests on)."""
    return (
        ContractDocument.objects.filter(contract=contract, kind=ContractDocument.Kind.EVALUATION_REPORT)
        .order_by("-uploaded_at", "-pk")
        .first()
    )
