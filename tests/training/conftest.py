"""Materials go to a temporary MEDIA_ROOT; small helpers to make sessions."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from dtks.training import actions


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "training"


def make_session(by, day: date, mode: str = "online", cost: int = 0, title: str = "Bimtek SIKS-NG"):
    data = {"title": title, "date": day, "mode": mode, "cost": cost, "place": "Zoom"}
    return actions.create_session(data, by=by)


def office_file(main_part: str) -> bytes:
    """A minimal OOXML package: the content-types part and the main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()
