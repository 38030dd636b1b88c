"""Evidence photos: checked and cleaned before anything is stored.

- the upload's size is bounded while reading (``SERVICE_PHOTO_MAX_BYTES``), before any decoding;
- the type comes from the content (JPEG or PNG), not from the name or the type the browser sends;
- the image's declared size is bounded before its pixels are decoded (``SERVICE_PHOTO_MAX_PIXELS``: a small
  file may declare a huge image, a decompression bomb), then it must decode completely;
- the photo is turned upright by its EXIF orientation, scaled down to ``SERVICE_PHOTO_MAX_SIDE`` and written
  again from its pixels alone: EXIF (GPS position, camera, time), XMP, comments and text chunks are gone.

Every refusal is a Chinese ``ValidationError`` on ``photo``.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": (".jpg", "image/jpeg"), "PNG": (".png", "image/png")}


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int
    sha256: str


def _refuse(text: str) -> ValidationError:
    return ValidationError({"photo": text})


def _read(upload: Any) -> bytes:
    limit = settings.SERVICE_PHOTO_MAX_BYTES
    too_big = f"照片超过 {limit // (1024 * 1024)} MB，请压缩后再上传。"
    if upload is None:
        raise _refuse("请选择照片。")
    if getattr(upload, "size", 0) and upload.size > limit:
        raise _refuse(too_big)
    chunks: list[bytes] = []
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise _refuse(too_big)
        chunks.append(chunk)
    if total == 0:
        raise _refuse("照片是空文件。")
    return b"".join(chunks)


def clean_photo(upload: Any) -> CleanPhoto:
    data = _read(upload)
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise _refuse("只能上传 JPG 或 PNG 格式的照片。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise _refuse("只能上传 JPG 或 PNG 格式的照片。")
            width, height = image.size
            if width * height > settings.SERVICE_PHOTO_MAX_PIXELS:
                raise _refuse(f"照片像素过大（{width}×{height}），请缩小后再上传。")
            image.load()  # decode every pixel: a truncated or corrupt file fails here
            fmt = str(image.format)
            upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise _refuse("照片文件已损坏或不是有效的图片。") from None
    side = settings.SERVICE_PHOTO_MAX_SIDE
    if max(upright.size) > side:
        upright.thumbnail((side, side))
    # A new image from the pixels alone: nothing of the original's metadata comes along.
    if fmt == "JPEG":
        pixels = upright.convert("RGB")
        fresh = Image.new("RGB", pixels.size)
        fresh.paste(pixels)
        out = io.BytesIO()
        fresh.save(out, format="JPEG", quality=85, optimize=True)
    else:
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
        pixels = upright.convert(mode)
        fresh = Image.new(mode, pixels.size)
        fresh.paste(pixels)
        out = io.BytesIO()
        fresh.save(out, format="PNG", optimize=True)
    cleaned = out.getvalue()
    extension, content_type = FORMATS[fmt]
    return CleanPhoto(
        data=cleaned,
        extension=extension,
        content_type=content_type,
        width=fresh.width,
        height=fresh.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )
