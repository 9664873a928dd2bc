"""Fetching one batch or proposal for a user: 404 outside the user's area, like a missing one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from .models import Proposal, ProposalBatch

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


def get_batch_for_user(user: User | AnonymousUser, pk: int) -> ProposalBatch:
    return get_object_or_404(ProposalBatch.objects.visible_to(user).select_related("desa"), pk=pk)


def get_proposal_for_user(user: User | AnonymousUser, pk: int) -> Proposal:
    queryset = Proposal.objects.visible_to(user).select_related("batch__desa", "proposed_by")
    return get_object_or_404(queryset, pk=pk)
