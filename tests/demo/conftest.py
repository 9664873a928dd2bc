"""Demo tests write the batches' berita acara under a temporary DATA_DIR."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def demo_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path
