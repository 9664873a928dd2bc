"""Background matching of an uploaded extract: takes an extract id, calls the action.

No matching logic here: `actions.match_extract` does the work (and marks the extract failed
when it refuses or stops); this module only writes its progress, throttled so that a
million-row file costs a few hundred writes.
"""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from dtks.core.errors import DomainError

from . import actions

WRITE_EVERY_S = 0.5


class Throttled:
    """The engine's progress callback for one extract: a write at most every WRITE_EVERY_S
    or every further 1 % of the rows, and always the last one."""

    def __init__(self, extract_id: int, clock=time.monotonic) -> None:
        self.extract_id = extract_id
        self.clock = clock
        self.written_at = float("-inf")
        self.written_done = -1

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        step = max(total // 100, 1)
        if (
            now - self.written_at >= WRITE_EVERY_S
            or done - self.written_done >= step
            or done >= total
        ):
            actions.save_progress(self.extract_id, done, total)
            self.written_at, self.written_done = now, done


@task()
def run_match(extract_id: int) -> dict[str, object]:
    """Match the stored file of a pending extract; it ends done or failed."""
    extract = actions.start_extract(extract_id)
    if extract is None:
        return {}
    try:
        summary = actions.match_extract(
            Path(extract.stored_path),
            by=extract.uploaded_by,
            wilayah=extract.wilayah or None,
            extract=extract,
            progress=Throttled(extract_id),
        )
    except DomainError:
        return {}  # the extract holds the reason
    return summary.counts()
