"""Files for the document tests: a real PDF, a real docx, and hostile ones (a renamed executable, a zip bomb)."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "协议扫描件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def docx(name: str = "任务书.docx", *, bomb: bool = False, entries: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if bomb:
            archive.writestr("word/media/bomb.bin", b"\0" * (60 * 1024 * 1024))
        for i in range(entries):
            archive.writestr(f"word/extra{i}.xml", "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("协议.pdf", b"MZ\x90\x00" + b"\0" * 100, content_type="application/pdf")
