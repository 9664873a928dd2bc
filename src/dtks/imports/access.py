"""Who may see an import batch: its uploader, and kabupaten staff who edit the batch's area.

A batch holds personal data of many families (its file, its error report), so it is shown to
the person who uploaded it and to the kabupaten roles that edit the registry over the batch's
wilayah (pengelola, pengisi data); anyone else gets 404, exactly as for a missing batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.shortcuts import get_object_or_404

from dtks.accounts.roles import Perm
from dtks.accounts.scope import NOTHING, area_codes
from dtks.wilayah.models import code_prefix_q

from .models import ImportBatch

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from dtks.accounts.models import User

KABUPATEN_LEVEL_DOTS = 1  # "17.09": a provinsi or kabupaten code has at most one dot


def kabupaten_edit_areas(user: User | AnonymousUser) -> list[str]:
    """The provinsi/kabupaten codes over which the user edits the registry."""
    codes = area_codes(user, Perm.EDIT_REGISTRY)
    return [code for code in codes if code.count(".") <= KABUPATEN_LEVEL_DOTS]


def batches_visible_to(user: User | AnonymousUser) -> QuerySet[ImportBatch]:
    """Batches the user uploaded, and those over a wilayah inside their kabupaten edit areas."""
    if not user.is_authenticated or not user.is_active:
        return ImportBatch.objects.filter(NOTHING)
    q = Q(uploaded_by=user)
    for code in kabupaten_edit_areas(user):
        q |= code_prefix_q("wilayah", code)
    return ImportBatch.objects.filter(q)


def get_batch_for_user(user: User | AnonymousUser, pk: int) -> ImportBatch:
    """The batch `pk` if the user may see it; Http404 otherwise (never 403, to reveal nothing)."""
    return get_object_or_404(batches_visible_to(user), pk=pk)
