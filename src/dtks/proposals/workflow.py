"""The proposal workflow as data: (status, action) → next status, and what the step needs.

`actions.py` consults `step_for` before any change and refuses what the table does not hold,
so no step is skipped and no role acts outside its part (Kepmensos 150/HUK/2022, 73/HUK/2024):

- the desa operator (edit permission over the desa) creates, edits and submits a proposal,
  and repairs and resubmits it after a return;
- a kabupaten verifier (`verify`) verifies it or returns it with a note, then finalises it;
- the pengesah (`ratify`) ratifies it, which applies it to the registry;
- the kabupaten (`verify`) marks it sent to the ministry and records the ministry's outcome.

`untied`: nobody tied to the family may take the step (conflict of interest, DOMAIN §8: no one
proposes, verifies or ratifies their own family); `independent`: untied, and not the proposer
(maker ≠ checker); `not_verifier`: whoever verified may not take it either.
`window`: the schedule kind the step must fall in (`PROPOSAL_WINDOW`: the proposal's own kind).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm

from .models import Kind, ProgramProposal, Status

PROPOSAL_WINDOW = "proposal"
NEW = ""  # the status before a proposal exists


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    perm: str
    window: str | None = None
    independent: bool = False
    untied: bool = False
    not_verifier: bool = False
    note_required: bool = False


STEPS: tuple[Step, ...] = (
    Step("create", NEW, Status.DRAFT, Perm.EDIT_REGISTRY, untied=True),
    Step("edit", Status.DRAFT, Status.DRAFT, Perm.EDIT_REGISTRY, untied=True),
    Step("edit", Status.RETURNED, Status.RETURNED, Perm.EDIT_REGISTRY, untied=True),
    Step(
        "submit", Status.DRAFT, Status.SUBMITTED, Perm.EDIT_REGISTRY, PROPOSAL_WINDOW, untied=True
    ),
    Step(
        "submit",
        Status.RETURNED,
        Status.SUBMITTED,
        Perm.EDIT_REGISTRY,
        PROPOSAL_WINDOW,
        untied=True,
    ),
    Step("verify", Status.SUBMITTED, Status.VERIFIED, Perm.VERIFY, "finalisation", True),
    Step(
        "return",
        Status.SUBMITTED,
        Status.RETURNED,
        Perm.VERIFY,
        "finalisation",
        True,
        note_required=True,
    ),
    Step("finalise", Status.VERIFIED, Status.FINALISED, Perm.VERIFY, "finalisation", True),
    Step(
        "ratify",
        Status.FINALISED,
        Status.RATIFIED,
        Perm.RATIFY,
        "finalisation",
        True,
        not_verifier=True,
    ),
    Step("send", Status.RATIFIED, Status.SENT, Perm.VERIFY, "ratification_upload"),
    Step("determine", Status.SENT, Status.DETERMINED, Perm.VERIFY),
    Step("reject", Status.SENT, Status.REJECTED, Perm.VERIFY, note_required=True),
)

TABLE: dict[tuple[str, str], Step] = {(s.source, s.action): s for s in STEPS}
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.action for s in STEPS))
LABELS = {
    "create": _("create"),
    "edit": _("edit"),
    "submit": _("submit"),
    "verify": _("verify"),
    "return": _("return for repair"),
    "finalise": _("finalise"),
    "ratify": _("ratify"),
    "send": _("mark as sent"),
    "determine": _("record the determination"),
    "reject": _("record the rejection"),
}
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def step_for(status: str, action: str) -> Step | None:
    """The step `action` takes from `status`, or None when the table has no such step."""
    return TABLE.get((status, action))


def actions_from(status: str) -> list[str]:
    """The actions the table allows from `status` (for the buttons a page offers)."""
    return [s.action for s in STEPS if s.source == status]


def is_path(transitions: list[tuple[str, str, str]]) -> bool:
    """Whether `(action, from, to)` rows, in order, walk the table from creation on."""
    current = NEW
    for action, source, target in transitions:
        step = step_for(source, action)
        if source != current or step is None or step.target != target:
            return False
        current = target
    return True


def window_kind(kind: str, subtype: str) -> str:
    """The schedule kind a desa's submission falls in (DOMAIN §7, monthly windows)."""
    if kind == Kind.PROGRAM and subtype == ProgramProposal.PBI_DTKS:
        return "pbi_dtks"
    if kind == Kind.PROGRAM and subtype == ProgramProposal.PBI_NON_DTKS:
        return "pbi_non_dtks"
    return "dtks"
