"""Proposal fixtures: a batch of desa A, the workflow's actors, and open windows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dtks.accounts.roles import Role
from dtks.proposals import actions
from dtks.proposals.uploads import upload_document
from dtks.registry.models import Person
from dtks.schedule.models import Extension
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, KAB
from tests.factories import UserFactory


@pytest.fixture
def open_windows(regions: None) -> Extension:
    """An extension of every window kind over the kabupaten: no step is locked by the clock."""
    return Extension.objects.create(
        kind="",
        region_id=KAB,
        starts_on=dt.date(2000, 1, 1),
        ends_on=dt.date(2100, 12, 31),
        reason="tests",
    )


@pytest.fixture
def verifier2(regions: None):
    return UserFactory(username="pengelola2", roles=[(Role.PENGELOLA, KAB)])


TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def documents_dir(settings, tmp_path):
    """Uploaded documents go to a temporary DATA_DIR."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "proposals"


@pytest.fixture
def batch(personas, open_windows, documents_dir):
    """Desa A's batch of August 2023, its musdes berita acara uploaded (submission needs it)."""
    batch = actions.open_batch(
        by=personas.operator_a, desa=Region.objects.get(code=DESA_A), year=2023, month=8
    )
    berita_acara = SimpleUploadedFile("berita-acara.pdf", TINY_PDF)
    upload_document(batch, by=personas.operator_a, kind="berita_acara", file=berita_acara)
    return batch


@pytest.fixture
def tied_verifier(regions: None, family_a):
    """A verifier whose own NIK is a member of family A (conflict of interest)."""
    nik = Person.objects.filter(memberships__family=family_a).values_list("nik", flat=True)[0]
    return UserFactory(username="pengelola_tied", nik=nik, roles=[(Role.PENGELOLA, KAB)])


def new_member_payload(**person: object) -> dict:
    values = {
        "nik": "1709016501100004",
        "name": "Putri Baru",
        "birth_place": "Bengkulu",
        "birth_date": "2010-01-25",
        "sex": 2,
        "marital_status": 1,
        "mother_name": "Ani",
    }
    values.update(person)
    return {"person": values, "relationship": 3}


PATH_TO = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "verified": ["submit", "verify"],
    "finalised": ["submit", "verify", "finalise"],
    "ratified": ["submit", "verify", "finalise", "ratify"],
    "sent": ["submit", "verify", "finalise", "ratify", "send"],
    "determined": ["submit", "verify", "finalise", "ratify", "send", "determine"],
    "rejected": ["submit", "verify", "finalise", "ratify", "send", "reject"],
}


def walk(proposal, status: str, personas):
    """Take `proposal` (a draft) along the table to `status` with the right actors."""
    for action in PATH_TO[status]:
        if action == "submit":
            proposal = actions.submit_proposal(proposal, by=personas.operator_a)
        elif action == "ratify":
            actions.ratify_batch(proposal.batch, by=personas.pengesah, proposals=[proposal.pk])
        else:
            note = "catatan" if action in ("return", "reject") else ""
            actions.take_step(proposal, action, by=personas.pengelola, note=note)
        proposal.refresh_from_db()
    return proposal


@pytest.fixture
def make_proposal(batch, personas, family_a):
    """A draft correcting the name of family A's head, by the operator of desa A."""

    def make(**kwargs: object):
        head = family_a.memberships.get(relationship=1).person
        values = {
            "kind": "correct_person",
            "person": head,
            "payload": {"person": {"name": "Nama Baru"}},
        }
        values.update(kwargs)
        return actions.create_proposal(batch, by=personas.operator_a, **values)

    return make
