"""Checking and storing bimtek materials: PDF, PPTX, DOCX, JPEG or PNG.

A file may come from anyone, so its type is decided from its content, never from its name
or the browser's word: the signature of a PDF, JPEG or PNG; for PPTX and DOCX a ZIP whose
central directory (read without decompressing anything) holds `[Content_Types].xml` and the
presentation's or document's main part. It must be non-empty and within
`DTKS_TRAINING_MATERIAL_MAX_BYTES` (default 20 MB). Files go to `MEDIA_ROOT/training/` under
a generated name; nothing there is served directly.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dtks.core.errors import DomainError
from dtks.core.uploads import write_limited

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
MAX_ZIP_ENTRIES = 10_000
PDF, JPEG, PNG, PPTX, DOCX = "pdf", "jpeg", "png", "pptx", "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    JPEG: "image/jpeg",
    PNG: "image/png",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUFFIXES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", PPTX: ".pptx", DOCX: ".docx"}
ACCEPTED = "PDF, PPTX, DOCX, JPEG, PNG"
MAIN_PARTS = {PPTX: "ppt/presentation.xml", DOCX: "word/document.xml"}


class RefusedMaterial(DomainError):
    """The file was refused before it was kept; `message` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, field="file", code=code)


def max_bytes() -> int:
    return int(getattr(settings, "DTKS_TRAINING_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "training"


def _office_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in MAIN_PARTS.items() if part in names), None)


def sniff(path: Path) -> str | None:
    """The material's type from its content (PDF, JPEG, PNG, PPTX, DOCX), else None."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    return None


def _refuse(size: int, kind: str | None) -> None:
    if size == 0:
        raise RefusedMaterial(_("The file is empty."), "empty")
    if size > max_bytes():
        limit = f"{max_bytes() / MB:g}"
        raise RefusedMaterial(
            _("The file is larger than %(limit)s MB.") % {"limit": limit}, "too_large"
        )
    if kind is None:
        raise RefusedMaterial(
            _(
                "The content of this file is not one of the accepted types (%(types)s),"
                " whatever its name says."
            )
            % {"types": ACCEPTED},
            "wrong_type",
        )


def store(file: Any) -> tuple[str, str, int, str]:
    """Check the upload and keep it: (stored name, type, size, sha256). Raises
    `RefusedMaterial` (codes `empty`, `too_large`, `wrong_type`) and keeps nothing then."""
    storage_dir().mkdir(parents=True, exist_ok=True)
    partial = storage_dir() / f".{uuid.uuid4().hex}.part"
    try:
        size, sha256 = write_limited(file, partial, max_bytes())
        kind = sniff(partial) if 0 < size <= max_bytes() else None
        _refuse(size, kind)
        assert kind is not None
        stored_name = uuid.uuid4().hex + SUFFIXES[kind]
        partial.rename(storage_dir() / stored_name)
    finally:
        partial.unlink(missing_ok=True)
    return stored_name, kind, size, sha256


def stored_path(stored_name: str) -> Path:
    return storage_dir() / Path(stored_name).name
