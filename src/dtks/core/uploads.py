"""Storing an upload without trusting its declared size."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def write_limited(file: Any, target: Path, limit: int) -> tuple[int, str]:
    """Copy the upload to `target` chunk by chunk, stopping once past `limit` bytes (the size
    returned is then above the limit, and the caller refuses and removes the file). Returns the
    size read and the SHA-256 of what was written."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        for chunk in file.chunks():
            size += len(chunk)
            if size > limit:
                break
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()
