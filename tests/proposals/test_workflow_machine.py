"""Random actors drive proposals through the workflow at random days, with and without
extensions: never a skipped step, never maker = checker, never a step outside its window
without an extension.

CI runs a few sequences; `DTKS_NIGHTLY=1` runs 1,000 (nightly size).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.models import Proposal
from dtks.proposals.workflow import ACTIONS, PROPOSAL_WINDOW, is_path, step_for, window_kind
from dtks.schedule.models import Extension
from dtks.schedule.windows import window_status
from tests.conftest import DESA_A

NIGHTLY = os.environ.get("DTKS_NIGHTLY") == "1"
ACTORS = ("operator", "verifier", "verifier2", "pengesah", "tied", "outsider")
STEP_ACTIONS = [a for a in ACTIONS if a != "create"]
CHECKED = ("verify", "return", "finalise", "ratify")


@pytest.mark.django_db
def test_random_actors_never_break_the_workflow(
    batch, personas, family_a, verifier2, tied_verifier, open_windows
):
    open_windows.delete()
    head = family_a.memberships.get(relationship=1).person
    people = {
        "operator": personas.operator_a,
        "verifier": personas.pengelola,
        "verifier2": verifier2,
        "pengesah": personas.pengesah,
        "tied": tied_verifier,
        "outsider": personas.operator_b,
    }

    class Workflow(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[int] = []

        @rule(actor=st.sampled_from(ACTORS))
        def create(self, actor: str) -> None:
            try:
                proposal = actions.create_proposal(
                    batch,
                    by=people[actor],
                    kind="correct_person",
                    person=head,
                    payload={"person": {"name": "Nama Baru"}},
                )
            except DomainError:
                return
            self.ids.append(proposal.pk)

        @rule(
            index=st.integers(0, 20),
            action=st.sampled_from(STEP_ACTIONS),
            actor=st.sampled_from(ACTORS),
            day=st.integers(1, 31),
        )
        def act(self, index: int, action: str, actor: str, day: int) -> None:
            if not self.ids:
                return
            proposal = Proposal.objects.get(pk=self.ids[index % len(self.ids)])
            when = timezone.make_aware(dt.datetime(2023, 8, day, 10))
            step = step_for(proposal.status, action)
            try:
                _take(proposal, action, people[actor], when)
            except DomainError as exc:
                if exc.code == "window_closed":
                    assert not window_status(_kind(step, proposal), DESA_A, when).open
                return
            assert step is not None
            if step.window:
                assert window_status(_kind(step, proposal), DESA_A, when).open

        @rule(
            kind=st.sampled_from(["", "finalisation", "dtks", "ratification_upload"]),
            start=st.integers(1, 31),
            length=st.integers(0, 5),
        )
        def extend(self, kind: str, start: int, length: int) -> None:
            begin = dt.date(2023, 8, start)
            Extension.objects.create(
                kind=kind,
                region_id=DESA_A,
                starts_on=begin,
                ends_on=begin + dt.timedelta(days=length),
                reason="uji",
            )

        @rule()
        def close_extensions(self) -> None:
            Extension.objects.filter(closed_at=None).update(closed_at=timezone.now())

        @invariant()
        def logs_are_paths_and_checkers_independent(self) -> None:
            for proposal in Proposal.objects.filter(pk__in=self.ids):
                log = list(proposal.transitions.order_by("id"))
                assert is_path([(t.action, t.from_status, t.to_status) for t in log])
                verifiers = {t.by_id for t in log if t.action == "verify"}
                for t in log:
                    if t.action in CHECKED:
                        assert t.by_id != proposal.proposed_by_id
                        assert t.by_id != tied_verifier.pk
                    if t.action == "ratify":
                        assert t.by_id not in verifiers

    Workflow.TestCase.settings = settings(
        max_examples=1000 if NIGHTLY else 8,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    run_state_machine_as_test(Workflow, settings=Workflow.TestCase.settings)


def _kind(step, proposal: Proposal) -> str:
    if step.window == PROPOSAL_WINDOW:
        return window_kind(proposal.kind, proposal.subtype)
    return step.window


def _take(proposal: Proposal, action: str, by, when: dt.datetime) -> None:
    if action == "submit":
        actions.submit_proposal(proposal, by=by, when=when)
    elif action == "edit":
        actions.edit_proposal(proposal, by=by, payload=proposal.payload, when=when)
    elif action == "ratify":
        actions.ratify_batch(proposal.batch, by=by, proposals=[proposal.pk], when=when)
    else:
        actions.take_step(proposal, action, by=by, note="catatan", when=when)
