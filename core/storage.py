"""Private files: stored under ``settings.PRIVATE_MEDIA_ROOT/<folder>``, never given a URL, served only
through a scoped view of the app that owns them (agreement documents, service photos, spending receipts)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT/<folder>``, read at each use (so a test may move the root); no
    URL: nothing here is served except through a scoped view."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        super().__init__()

    @property  # type: ignore[override]
    def base_location(self) -> str:
        from django.conf import settings

        return str(Path(settings.PRIVATE_MEDIA_ROOT) / self.folder)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL")
