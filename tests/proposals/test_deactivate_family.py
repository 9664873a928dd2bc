"""Proposing to deactivate a whole family (penonaktifan keluarga): the rules before
submission, ratification through `registry.deactivate_family`, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.actions import RuleErrorsError
from dtks.proposals.data import changes
from dtks.proposals.models import Proposal
from dtks.registry import actions as registry
from dtks.registry.models import Family, Membership, Person
from tests.factories import FamilyProgramFactory

from .conftest import walk

pytestmark = pytest.mark.django_db


def _propose(batch, personas, family, reason="not_eligible"):
    return actions.create_proposal(
        batch, by=personas.operator_a, kind="deactivate", subtype=reason, family=family
    )


def _rules(proposal) -> set[str]:
    return {f["rule"] for f in proposal.findings}


def test_ratified_the_family_and_its_members_leave_dtks(batch, personas, family_a):
    members = list(family_a.memberships.order_by("id").values_list("person_id", flat=True))
    proposal = walk(_propose(batch, personas, family_a), "ratified", personas)
    family = Family.objects.get(pk=family_a.pk)
    assert (family.status, family.inactive_reason) == ("inactive", "not_eligible")
    assert not Person.objects.filter(pk__in=members, status="active").exists()
    assert not Membership.objects.filter(family=family_a, end_date=None).exists()
    assert (proposal.result["family_id"], proposal.result["person_ids"]) == (family_a.pk, members)
    events = AuditEvent.objects.filter(pk__in=proposal.result["audit_events"])
    assert "deactivate_family" in {e.action for e in events}
    registry_events = AuditEvent.objects.filter(action="deactivate_family")
    assert registry_events.count() == 1 + 2 * len(members)
    assert {e.note for e in registry_events} == {f"proposal={proposal.pk}"}
    assert {e.actor for e in registry_events} == {personas.operator_a}  # the proposer


def test_before_and_after_lists_status_members_and_programs(batch, personas, family_a):
    FamilyProgramFactory(family=family_a, program="pkh", start_month=dt.date(2022, 1, 1))
    proposal = walk(_propose(batch, personas, family_a, "moved"), "submitted", personas)
    assert proposal.findings == []
    assert changes(proposal) == [
        ("status", "active", "inactive"),
        ("inactive_reason", "", "moved"),
        ("members", 4, 0),
        ("programs", ["pkh"], []),
    ]


def test_the_head_alone_is_refused_but_the_whole_family_is_not(batch, personas, family_a):
    head = family_a.memberships.get(relationship=1).person
    alone = actions.create_proposal(
        batch, by=personas.operator_a, kind="deactivate", subtype="moved", person=head
    )
    with pytest.raises(RuleErrorsError):
        actions.submit_proposal(alone, by=personas.operator_a)
    assert "family_head_count" in _rules(Proposal.objects.get(pk=alone.pk))
    whole = actions.submit_proposal(_propose(batch, personas, family_a), by=personas.operator_a)
    assert whole.status == "submitted"


def test_submission_refuses_an_inactive_family(batch, personas, family_a):
    proposal = _propose(batch, personas, family_a)
    registry.deactivate_family(family_a, by=personas.operator_a, reason="duplicate")
    with pytest.raises(RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    assert _rules(Proposal.objects.get(pk=proposal.pk)) == {"deactivate_family_inactive"}


def test_submission_refuses_a_program_starting_this_month(batch, personas, family_a):
    this_month = timezone.localdate().replace(day=1)
    FamilyProgramFactory(family=family_a, program="bpnt", start_month=this_month)
    proposal = _propose(batch, personas, family_a)
    with pytest.raises(RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    found = Proposal.objects.get(pk=proposal.pk).findings
    assert [(f["rule"], f["field"]) for f in found] == [
        ("deactivate_family_program_starting", "programs")
    ]


def test_a_deactivation_needs_a_person_or_a_family_and_a_reason(batch, personas):
    with pytest.raises(DomainError) as refused:
        actions.create_proposal(batch, by=personas.operator_a, kind="deactivate", subtype="moved")
    assert refused.value.field == "person"
    with pytest.raises(DomainError) as refused:
        actions.create_proposal(
            batch, by=personas.operator_a, kind="deactivate", subtype="bored", family=None
        )
    assert refused.value.field == "subtype"


def test_a_family_of_another_desa_is_refused(batch, personas, family_b):
    with pytest.raises(DomainError) as refused:
        _propose(batch, personas, family_b)
    assert refused.value.field == "family"


# --- pages ----------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_operator_proposes_it_from_the_family_page(batch, personas, family_a):
    client = client_for(personas.operator_a)
    panel = client.get(reverse("registry:family_detail", args=[family_a.pk])).content.decode()
    assert 'data-kind="deactivate_family"' in panel
    url = reverse("proposals:create", args=["deactivate_family"])
    form = client.get(url, {"family": family_a.pk})
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert 'name="person"' not in form.content.decode()
    saved = client.post(url, {"family": family_a.pk, "reason": "not_eligible", "note": "SKTM"})
    proposal = Proposal.objects.get(kind="deactivate", family=family_a)
    assert saved.status_code == 302 and saved.url == reverse("proposals:detail", args=[proposal.pk])
    assert (proposal.person, proposal.subtype, proposal.status) == (None, "not_eligible", "draft")
    assert proposal.payload == {"note": "SKTM"}
    detail = client.get(saved.url).content.decode()
    assert family_a.id_dtks in detail
    edit = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert edit.status_code == 200 and 'name="note"' in edit.content.decode()
    assert Family.objects.get(pk=family_a.pk).is_active  # nothing changes before ratification


def test_other_desa_gets_404_and_read_only_roles_403(batch, personas, family_a):
    url = reverse("proposals:create", args=["deactivate_family"])
    body = {"family": family_a.pk, "reason": "moved"}
    assert client_for(personas.operator_b).post(url, body).status_code == 404
    assert client_for(personas.pimpinan).post(url, body).status_code == 403
    assert not Proposal.objects.exists()


def test_the_ratification_pack_names_the_head_of_a_deactivated_family(batch, personas, family_a):
    from dtks.proposals import pack as packs
    from dtks.proposals.pack_pdf import sections

    head = family_a.memberships.get(relationship=1).person
    proposal = walk(_propose(batch, personas, family_a), "ratified", personas)
    (section,) = sections(packs.build_content(batch.year, batch.month, batch.desa))
    (row,) = [r for r in section.rows if r.proposal_id == proposal.pk]
    assert (row.no_kk, row.nik, row.name) == (family_a.no_kk, head.nik, head.name)
