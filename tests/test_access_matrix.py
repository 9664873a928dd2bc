"""Every view and API endpoint × every persona, on a record inside and outside the persona's
area: the status is what the role and scope allow, and no identity number the persona may not
see (another area's NIK or No. KK, or any full number for a role that sees them masked) is in
the body.

The URL resolver is walked, so a new view without an entry in MATRIX fails
`test_every_url_is_in_the_matrix` until it is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dtks.accounts.models import User
from dtks.accounts.roles import Perm, Role
from dtks.accounts.scope import can_view_identity, in_area
from dtks.performance.models import is_head_of_dinas
from tests.conftest import OTHER_KAB_DESA
from tests.factories import UserFactory, family_with_members

UI, API = "ui", "api"


@dataclass(frozen=True)
class Target:
    """The record a call is made on, and what the URL and body are built from."""

    family: object
    head: object
    staff: object = None  # an account holding roles over the family's desa and kecamatan

    @property
    def desa(self) -> str:
        return self.family.desa_id


@dataclass(frozen=True)
class Call:
    """How to call one view, and what it needs.

    `perm`: permission the view needs (None: any logged-in user); `public`: no login needed;
    `record`: the view works on the target family/person, so scope applies (404 outside);
    `account`: the view works on the target's staff account, scoped by MANAGE_USERS area;
    `batch`: the view works on an import batch uploaded by the target's staff account, seen
    only by its uploader and the kabupaten roles that edit its area (404 for others);
    `ok`: the status of an allowed call; `ok_logged_in`: of a public page for a logged-in user.
    `owner`: the view acts on a request another account made (`_held`), which only that
    account may do (everyone else: 404 outside the area, 403 inside it).
    `scorecard`: an operator scorecard, seen by the kabupaten roles that verify or manage
    performance, a kecamatan operator for their kecamatan and the operator themselves.
    `head`: only the head of the Dinas may (an SKP of staff no persona appraises, the
    organisation's predikat); everyone else gets this status.
    """

    surface: str
    methods: tuple[str, ...] = ("get",)
    perm: str | None = Perm.VIEW_REGISTRY
    record: bool = False
    account: bool = False
    batch: bool = False
    public: bool = False
    owner: bool = False
    scorecard: bool = False  # an operator scorecard: see `_scorecard_status`
    head: int | None = None  # only the head of the Dinas; everyone else gets this status
    ok: dict[str, int] = field(default_factory=lambda: {"get": 200, "post": 200})
    ok_logged_in: int | None = None
    kwargs: Callable[[Target], dict] = lambda t: {}
    data: Callable[[Target], dict] = lambda t: {}


def _family(t: Target) -> dict:
    return {"pk": t.family.pk}


def _member(t: Target) -> dict:
    return {"pk": t.family.pk, "person_pk": t.head.pk}


def _name_search(t: Target) -> dict:
    return {"q": t.head.name}


def _finding(t: Target) -> dict:
    """An open warning on the target's head, for the waiver page."""
    from dtks.verification.models import Finding

    finding, _ = Finding.objects.get_or_create(
        rule="test_rule", level="person", person=t.head, status="open",
        defaults={"severity": "warning", "message": "-"},
    )  # fmt: skip
    return {"pk": finding.pk}


def _pair(t: Target) -> dict:
    """A candidate duplicate pair: the target's head and a copy of them in another family of
    the same desa."""
    from dtks.dedup.models import CandidatePair
    from tests.factories import FamilyFactory, MembershipFactory, PersonFactory

    pair = CandidatePair.objects.filter(person_l=t.head).first()
    if pair is None:
        copy = PersonFactory(name=t.head.name, birth_date=t.head.birth_date, sex=t.head.sex)
        MembershipFactory(family=FamilyFactory(desa_id=t.desa), person=copy)
        pair = CandidatePair.objects.create(person_l=t.head, person_r=copy, match_probability=0.99)
    return {"pk": pair.pk}


def _account(t: Target) -> dict:
    return {"pk": t.staff.pk}


def _assignment(t: Target) -> dict:
    desa_role = t.staff.role_assignments.get(role=Role.OPERATOR_DESA)
    return {"pk": t.staff.pk, "assignment_pk": desa_role.pk}


def _staff_of(desa: str) -> object:
    """A staff account of `desa`, with a second role so that revoking one leaves it in the area."""
    username = f"staf_{desa}"
    return User.objects.filter(username=username).first() or UserFactory(
        username=username,
        roles=[(Role.OPERATOR_DESA, desa), (Role.OPERATOR_KECAMATAN, desa[:8])],
    )


def _batch(t: Target) -> dict:
    """A finished import of the target's desa, uploaded by its staff, with an error report."""
    from django.conf import settings

    from dtks.imports.models import ImportBatch

    batch = ImportBatch.objects.filter(uploaded_by=t.staff).first()
    if batch is None:
        report = settings.DATA_DIR / "imports" / f"laporan-{t.desa}.csv"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("baris,alasan\n2,-\n")
        batch = ImportBatch.objects.create(
            uploaded_by=t.staff, original_name="desa.csv", sha256="0" * 64, wilayah=t.desa,
            status="done", report_path=str(report),
        )  # fmt: skip
    return {"pk": batch.pk}


def _held(t: Target) -> dict:
    """A fresh change held for approval (each call its own, as a decision closes it), asked
    by an operator of the desa whose own No. KK is the family's."""
    from dtks.registry import held

    username = f"pemohon_{t.desa}"
    requester = User.objects.filter(username=username).first() or UserFactory(
        username=username, roles=[(Role.OPERATOR_DESA, t.desa)], no_kk=t.family.no_kk
    )
    change = held.hold_change(
        by=requester,
        action="update_family",
        family=t.family,
        payload=held.family_payload(t.family, rt="009"),
    )
    return {"pk": change.pk}


def _sees_batches_of(user: object, desa: str) -> bool:
    """Kabupaten roles that edit the registry over the desa (the uploader is tested apart)."""
    kabupaten_editors = {Role.PENGELOLA, Role.PENGISI_DATA}
    return any(
        a.role in kabupaten_editors and (desa == a.area_id or desa.startswith(a.area_id + "."))
        for a in user.active_assignments()
    )


def _extract(t: Target) -> dict:
    """A finished Dukcapil extract over the target's desa, uploaded by its staff."""
    from dtks.adminduk.models import DukcapilExtract

    extract = DukcapilExtract.objects.filter(wilayah=t.desa).first()
    if extract is None:
        extract = DukcapilExtract.objects.create(
            uploaded_by=t.staff, original_name="dukcapil.csv", wilayah=t.desa, status="done"
        )
    return {"pk": extract.pk}


def _matched(t: Target) -> dict:
    """The target's family matched with Dukcapil, every member tidak padan (another No. KK),
    so the padan list shows their NIK to whoever may see it."""
    from django.conf import settings

    from dtks.adminduk.actions import match_extract
    from dtks.adminduk.models import MatchResult
    from tests.adminduk.extracts import row_of, write_csv

    if not MatchResult.objects.filter(person=t.head).exists():
        members = [m.person for m in t.family.current_memberships()]
        rows = [row_of(p, no_kk="1" * 16) for p in members]
        path = write_csv(settings.DATA_DIR / f"dukcapil-{t.desa}.csv", rows)
        match_extract(path, by=None, wilayah=t.desa)
    return {}


def _extension(t: Target) -> dict:
    """A window extension over the target's desa (closing it twice only says it is closed)."""
    from datetime import timedelta

    from dtks.schedule.actions import open_extension
    from dtks.schedule.models import Extension
    from dtks.schedule.windows import local_day
    from dtks.wilayah.models import Region

    extension = Extension.objects.filter(region_id=t.desa).first() or open_extension(
        Region.objects.get(code=t.desa), "dtks", local_day() + timedelta(days=3), "-", by=None
    )
    return {"pk": extension.pk}


def _proposer_of(desa: str) -> object:
    """The desa's operator who proposes (not the staff account the user pages change)."""
    username = f"pengusul_{desa}"
    return User.objects.filter(username=username).first() or UserFactory(
        username=username, roles=[(Role.OPERATOR_DESA, desa)]
    )


def _proposal_batch(t: Target) -> object:
    """The target desa's proposal batch of August 2023, opened by its operator (no berita
    acara: submitting from the matrix is refused, so every persona meets the same draft)."""
    from dtks.proposals.actions import open_batch
    from dtks.wilayah.models import Region

    desa = Region.objects.get(code=t.desa)
    return open_batch(by=_proposer_of(t.desa), desa=desa, year=2023, month=8)


def _proposal(t: Target) -> dict:
    """A draft correcting the name of the target's head, by the desa's staff."""
    from dtks.proposals.actions import create_proposal

    batch = _proposal_batch(t)
    proposal = batch.proposals.first() or create_proposal(
        batch, by=_proposer_of(t.desa), kind="correct_person", person=t.head,
        payload={"person": {"name": "Nama Usulan"}},
    )  # fmt: skip
    return {"pk": proposal.pk}


def _proposal_document(t: Target) -> dict:
    """A berita acara (a tiny PDF) of the target desa's batch."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtks.proposals.uploads import upload_document

    batch = _proposal_batch(t)
    document = batch.documents.first() or upload_document(
        batch, by=_proposer_of(t.desa), kind="berita_acara",
        file=SimpleUploadedFile("ba.pdf", b"%PDF-1.4\n%%EOF\n"),
    )  # fmt: skip
    return {"pk": document.pk}


def _training_session(t: Target) -> dict:
    """A bimtek session none of the personas is listed for."""
    from datetime import date

    from dtks.training.actions import create_session
    from dtks.training.models import TrainingSession

    session = TrainingSession.objects.first() or create_session(
        {"title": "Bimtek", "date": date(2023, 11, 20), "mode": "online", "cost": 0}, by=None
    )
    return {"pk": session.pk}


def _training_material(t: Target) -> dict:
    """A PDF handed out at that session, uploaded by a pengelola of the kabupaten."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtks.training.actions import add_material
    from dtks.training.models import Material, TrainingSession

    material = Material.objects.first()
    if material is None:
        session = TrainingSession.objects.get(**_training_session(t))
        by = UserFactory(username="pengelola_bimtek", roles=[(Role.PENGELOLA, "17.09")])
        pdf = SimpleUploadedFile("materi.pdf", b"%PDF-1.4\n%%EOF\n")
        material = add_material(session, pdf, by=by)
    return {"pk": material.pk}


def _budget_line(t: Target) -> dict:
    from dtks.training.actions import create_budget_line
    from dtks.training.models import BudgetLine

    line = BudgetLine.objects.first() or create_budget_line(
        {"year": 2023, "category": "training", "description": "Bimtek", "planned": 1},
        by=None,
    )
    return {"pk": line.pk}


def _service(t: Target) -> dict:
    """A service of the target's desa recorded by its staff, never answered."""
    from django.utils import timezone

    from dtks.survey.actions import record_service
    from dtks.survey.models import Service
    from dtks.wilayah.models import Region

    service = Service.objects.filter(area_id=t.desa).first()
    if service is None:
        kabupaten = ".".join(t.desa.split(".")[:2])
        officer = UserFactory(roles=[(Role.PENGELOLA, kabupaten)])
        desa = Region.objects.get(code=t.desa)
        service = record_service("check_status", timezone.localdate(), by=officer, desa=desa)
    return {"pk": service.pk}


def _survey_link(t: Target) -> dict:
    from dtks.survey.models import Service

    return {"token": Service.objects.get(pk=_service(t)["pk"]).token}


def _employee(t: Target) -> dict:
    """An employee appraised by nobody among the personas: only the head of the Dinas sees
    their SKP."""
    from dtks.performance.models import Employee
    from tests.factories import EmployeeFactory

    employee = Employee.objects.first() or EmployeeFactory.create()
    return {"pk": employee.pk, "year": 2023}


def _pack(t: Target) -> dict:
    """A ratification pack of September 2023 over the target's desa, issued by the system:
    one proposal written as ratified (the workflow itself is tested in tests/proposals)."""
    from dtks.proposals.models import Proposal, ProposalBatch
    from dtks.proposals.pack import current_pack, issue_ratification_pack
    from dtks.wilayah.models import Region

    if current_pack(2023, 9, t.desa) is None:
        batch, _ = ProposalBatch.objects.get_or_create(desa_id=t.desa, year=2023, month=9)
        Proposal.objects.create(
            batch=batch, kind="correct_person", person=t.head, family=t.family,
            payload={"person": {"name": "Nama Disahkan"}}, status="ratified", proposed_by=t.staff,
        )  # fmt: skip
        issue_ratification_pack(2023, 9, Region.objects.get(code=t.desa), by=None)
    return {"year": 2023, "month": 9, "area": t.desa}


ADMIN_ONLY = Perm.MANAGE_USERS


MATRIX: dict[str, Call] = {
    "dashboard": Call(UI, perm=None),
    "login": Call(UI, public=True, ok_logged_in=302),  # a logged-in user goes to the dashboard
    "logout": Call(UI, methods=("post",), perm=None, ok={"post": 302}),
    "set_language": Call(UI, methods=("post",), public=True, ok={"post": 302}),
    "registry:family_list": Call(UI, methods=("get", "post"), data=_name_search),
    "registry:family_detail": Call(UI, record=True, kwargs=_family),
    "registry:family_create": Call(UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY),
    "registry:family_edit": Call(
        UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY, record=True, kwargs=_family
    ),
    "registry:member_add": Call(
        UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY, record=True, kwargs=_family
    ),
    "registry:member_edit": Call(
        UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY, record=True, kwargs=_member
    ),
    "registry:member_end": Call(
        UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY, record=True, kwargs=_member
    ),
    "registry:officers_in_registry": Call(UI, perm=Perm.VERIFY),
    "registry:held_list": Call(UI, perm=Perm.EDIT_REGISTRY),
    "registry:held_detail": Call(UI, perm=Perm.VERIFY, record=True, kwargs=_held),
    "registry:held_approve": Call(
        UI, methods=("post",), perm=Perm.VERIFY, record=True, ok={"post": 302}, kwargs=_held
    ),
    "registry:held_refuse": Call(
        UI,
        methods=("post",),
        perm=Perm.VERIFY,
        record=True,
        ok={"post": 302},
        kwargs=_held,
        data=lambda t: {"note": "-"},
    ),
    "registry:held_withdraw": Call(
        UI, methods=("post",), owner=True, record=True, ok={"post": 302}, kwargs=_held
    ),
    "verification:dashboard": Call(UI),
    "verification:queue": Call(UI, perm=Perm.EDIT_REGISTRY),
    "verification:waive": Call(
        UI, methods=("get", "post"), perm=Perm.VERIFY, record=True, kwargs=_finding
    ),
    # POST-only: it acts.
    "verification:recheck": Call(
        UI,
        methods=("post",),
        perm=Perm.EDIT_REGISTRY,
        record=True,
        ok={"post": 302},
        kwargs=lambda t: {"family_pk": t.family.pk},
    ),
    "eligibility:flagged": Call(UI),
    "eligibility:criteria": Call(UI),
    "eligibility:criteria_edit": Call(UI, methods=("get", "post"), perm=Perm.VERIFY),
    "eligibility:whatif": Call(UI, data=lambda t: {"program": "pkh", "cutoff": 4}),
    # The families of one desa behind a what-if count: scoped like a record (404 outside).
    "eligibility:whatif_families": Call(
        UI,
        record=True,
        data=lambda t: {"program": "pkh", "cutoff": 10, "desa": t.desa, "change": "drop"},
    ),
    "adminduk:results": Call(UI, data=_matched),
    "adminduk:upload": Call(UI, methods=("get", "post"), perm=Perm.VERIFY),
    # An extract is scoped like a record by its region: 404 outside the area, 403 without VERIFY.
    "adminduk:extract": Call(UI, perm=Perm.VERIFY, record=True, kwargs=_extract),
    "users:user_list": Call(UI, methods=("get", "post"), perm=ADMIN_ONLY, data=_name_search),
    "users:user_create": Call(UI, methods=("get", "post"), perm=ADMIN_ONLY),
    "users:user_detail": Call(UI, perm=ADMIN_ONLY, account=True, kwargs=_account),
    "users:role_assign": Call(
        UI, methods=("get", "post"), perm=ADMIN_ONLY, account=True, kwargs=_account
    ),
    "users:password_reset": Call(
        UI, methods=("get", "post"), perm=ADMIN_ONLY, account=True, kwargs=_account
    ),
    "users:user_identity": Call(
        UI, methods=("get", "post"), perm=ADMIN_ONLY, account=True, kwargs=_account
    ),
    # POST-only buttons; they act, so they come after the pages above.
    "users:user_set_active": Call(
        UI, methods=("post",), perm=ADMIN_ONLY, account=True, ok={"post": 302}, kwargs=_account
    ),
    "users:role_revoke": Call(
        UI,
        methods=("post",),
        perm=ADMIN_ONLY,
        account=True,
        ok={"post": 302},
        kwargs=_assignment,
    ),
    "imports:upload": Call(UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY),
    "imports:batch": Call(UI, perm=Perm.EDIT_REGISTRY, batch=True, kwargs=_batch),
    "imports:batch_report": Call(UI, perm=Perm.EDIT_REGISTRY, batch=True, kwargs=_batch),
    "imports:batch_cancel": Call(
        UI, methods=("post",), perm=Perm.EDIT_REGISTRY, batch=True, ok={"post": 302}, kwargs=_batch
    ),
    # The export answers with the rows themselves: the body is checked for hidden numbers.
    "imports:export": Call(UI, methods=("post",), data=lambda t: {"format": "csv"}),
    "imports:template_list": Call(UI, perm=Perm.EDIT_REGISTRY),
    "imports:template_download": Call(
        UI, perm=Perm.EDIT_REGISTRY, record=True, kwargs=lambda t: {"code": t.desa}
    ),
    "dedup:queue": Call(UI, perm=Perm.VERIFY),
    "dedup:pair": Call(UI, perm=Perm.VERIFY, record=True, kwargs=_pair),
    # POST-only buttons: a decision (deferred, so it can be taken again) and undoing a merge
    # (none here: refused with a message, then back to the pair).
    "dedup:decide": Call(
        UI,
        methods=("post",),
        perm=Perm.VERIFY,
        record=True,
        ok={"post": 302},
        kwargs=_pair,
        data=lambda t: {"decision": "deferred"},
    ),
    "dedup:unmerge": Call(
        UI, methods=("post",), perm=Perm.VERIFY, record=True, ok={"post": 302}, kwargs=_pair
    ),
    "schedule:calendar": Call(UI),
    "schedule:readiness": Call(UI),
    "schedule:manage": Call(UI, methods=("get", "post"), perm=Perm.VERIFY),
    # An extension is scoped like a record by its region: 404 outside, 403 without VERIFY.
    "schedule:extension_close": Call(
        UI, methods=("post",), perm=Perm.VERIFY, record=True, ok={"post": 302}, kwargs=_extension
    ),
    "proposals:batch": Call(UI, record=True, data=lambda t: {"desa": t.desa}),
    "proposals:create": Call(
        UI,
        methods=("get", "post"),
        perm=Perm.EDIT_REGISTRY,
        record=True,
        kwargs=lambda t: {"kind": "correct_family"},
        data=lambda t: {"family": t.family.pk},
    ),
    "proposals:detail": Call(UI, record=True, kwargs=_proposal),
    "proposals:edit": Call(
        UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY, record=True, kwargs=_proposal
    ),
    "proposals:queue": Call(UI, perm=Perm.VERIFY),
    "proposals:finalise_list": Call(UI, perm=Perm.VERIFY),
    "proposals:ratify_list": Call(UI, perm=Perm.RATIFY),
    # A document is scoped like a record by its batch's desa (the berita acara: view).
    "proposals:document": Call(UI, record=True, kwargs=_proposal_document),
    # POST-only buttons: refused by the action (a draft cannot be verified, nothing is
    # finalised, no berita acara) with a message and a redirect.
    "proposals:step": Call(
        UI,
        methods=("post",),
        perm=Perm.VERIFY,
        record=True,
        ok={"post": 302},
        kwargs=_proposal,
        data=lambda t: {"action": "verify"},
    ),
    "proposals:batch_submit": Call(
        UI,
        methods=("post",),
        perm=Perm.EDIT_REGISTRY,
        record=True,
        ok={"post": 302},
        kwargs=lambda t: {"pk": _proposal_batch(t).pk},
    ),
    "proposals:batch_ratify": Call(
        UI,
        methods=("post",),
        perm=Perm.RATIFY,
        record=True,
        ok={"post": 302},
        kwargs=lambda t: {"pk": _proposal_batch(t).pk},
    ),
    "proposals:document_upload": Call(
        UI,
        methods=("post",),
        perm=Perm.EDIT_REGISTRY,
        record=True,
        ok={"post": 302},
        data=lambda t: {"desa": t.desa, "bulan": "2023-08"},
    ),
    "periods:list": Call(UI),
    # The diff lists the families of the user's area only (No. KK masked where it must be).
    "periods:diff": Call(UI, kwargs=lambda t: {"a": "2022", "b": "2023"}),
    # Closing: the kabupaten verifier; a second POST is refused with a message (302 too).
    "periods:close": Call(
        UI,
        methods=("get", "post"),
        perm=Perm.VERIFY,
        ok={"get": 200, "post": 302},
        kwargs=lambda t: {"key": "2022"},
    ),
    # Ratification packs: the page like a record of its area (NIK masked where it must be);
    # the PDF and xlsx print NIK/No. KK in full (view_identity over the area); issuing and
    # marking sent are the pengelola's (the same content again, or nothing exported: 302 too).
    "proposals:pack_index": Call(UI),
    "proposals:pack_verify": Call(UI, public=True),
    "proposals:pack": Call(UI, record=True, kwargs=_pack),
    "proposals:pack_pdf": Call(UI, perm=Perm.VIEW_IDENTITY, record=True, kwargs=_pack),
    "proposals:pack_xlsx": Call(UI, perm=Perm.VIEW_IDENTITY, record=True, kwargs=_pack),
    "proposals:pack_issue": Call(
        UI, methods=("post",), perm=Perm.VERIFY, record=True, ok={"post": 302}, kwargs=_pack
    ),
    "proposals:pack_send": Call(
        UI, methods=("post",), perm=Perm.VERIFY, record=True, ok={"post": 302}, kwargs=_pack
    ),
    # Performance (/kinerja/), bimtek (/bimtek/) and the satisfaction survey (/ikm/).
    "performance:dashboard": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "performance:unit_report": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "performance:indicator_target": Call(
        UI, methods=("post",), perm=Perm.MANAGE_PERFORMANCE, ok={"post": 302}
    ),
    "performance:rate_organisation": Call(UI, perm=None, head=403),
    "performance:employees": Call(UI, perm=None),
    "performance:appraisal": Call(UI, perm=None, head=404, kwargs=_employee),
    "performance:operators": Call(UI, perm=None, scorecard=True),
    "performance:operator": Call(
        UI, perm=None, record=True, scorecard=True, kwargs=lambda t: {"user_pk": t.staff.pk}
    ),
    "training:sessions": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "training:mine": Call(UI, perm=None),
    "training:session_create": Call(UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE),
    "training:session_detail": Call(UI, perm=Perm.MANAGE_PERFORMANCE, kwargs=_training_session),
    "training:session_edit": Call(
        UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE, kwargs=_training_session
    ),
    "training:attendance": Call(
        UI,
        methods=("post",),
        perm=Perm.MANAGE_PERFORMANCE,
        ok={"post": 302},
        kwargs=_training_session,
    ),
    "training:material_upload": Call(
        UI,
        methods=("post",),
        perm=Perm.MANAGE_PERFORMANCE,
        ok={"post": 302},
        kwargs=_training_session,
    ),
    "training:material": Call(UI, perm=Perm.MANAGE_PERFORMANCE, kwargs=_training_material),
    "training:plan": Call(
        UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE, kwargs=lambda t: {"year": 2023}
    ),
    "training:untrained": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "training:budget": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "training:budget_line_create": Call(UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE),
    "training:budget_line_edit": Call(
        UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE, kwargs=_budget_line
    ),
    "training:facilities": Call(UI, methods=("get", "post"), perm=Perm.MANAGE_PERFORMANCE),
    "survey:results": Call(UI, perm=Perm.MANAGE_PERFORMANCE),
    "survey:service_create": Call(UI, methods=("get", "post"), perm=Perm.EDIT_REGISTRY),
    # A service is scoped like a record by its area: 404 outside, 403 without a serving role.
    "survey:service_detail": Call(UI, perm=Perm.EDIT_REGISTRY, record=True, kwargs=_service),
    "survey:respond": Call(UI, methods=("get", "post"), public=True, kwargs=_survey_link),
    "survey:thanks": Call(UI, public=True),
    "api-v1:api-root": Call(API, public=True, ok={"get": 404}),
    "api-v1:openapi-json": Call(API, public=True),
    "api-v1:openapi-view": Call(API, public=True),
    "api-v1:list_families": Call(API),
    "api-v1:search_families": Call(API, methods=("post",), data=_name_search),
    "api-v1:family_detail": Call(API, record=True, kwargs=lambda t: {"family_id": t.family.pk}),
    "api-v1:list_persons": Call(API),
    "api-v1:search_persons": Call(API, methods=("post",), data=_name_search),
    "api-v1:person_detail": Call(API, record=True, kwargs=lambda t: {"person_id": t.head.pk}),
}

PERSONAS = (
    "operator_a", "operator_b", "operator_kecamatan", "pengisi", "pengelola", "admin",
    "pengesah", "pimpinan", "nobody", "anonymous",
)  # fmt: skip


def url_names(patterns: list, namespace: str = "") -> list[str]:
    """Every named URL pattern, with its namespace, as `reverse()` wants it."""
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix() -> None:
    missing = [n for n in url_names(get_resolver().url_patterns) if n not in MATRIX]
    assert not missing, f"add it to the matrix: {missing}"


def test_matrix_names_still_exist() -> None:
    assert set(MATRIX) <= set(url_names(get_resolver().url_patterns))


def expected_status(call: Call, method: str, user: object | None, desa: str) -> int:
    """What the role and scope allow, in the order the views decide it."""
    if call.public:
        return call.ok_logged_in if user and call.ok_logged_in else call.ok[method]
    if user is None:
        return 401 if call.surface == API else 302
    if call.surface == API and not user.can(Perm.VIEW_REGISTRY):
        return 403
    if call.head is not None:
        return call.ok[method] if is_head_of_dinas(user) else call.head
    if call.scorecard:
        return _scorecard_status(call, method, user, desa)
    if call.perm == Perm.MANAGE_USERS:  # user administration: permission first, then area
        if not user.can(call.perm):
            return 403
        return 404 if call.account and not in_area(user, desa, call.perm) else call.ok[method]
    if call.owner:  # nobody but the requester, who is no persona
        return 404 if not in_area(user, desa) else 403
    if call.batch:  # permission first, then whose batch it is
        if not user.can(call.perm):
            return 403
        return call.ok[method] if _sees_batches_of(user, desa) else 404
    if call.record and not in_area(user, desa):
        return 404  # outside the area looks exactly like a missing record
    if call.perm and not (in_area(user, desa, call.perm) if call.record else user.can(call.perm)):
        return 403
    return call.ok[method]


def _scorecard_status(call: Call, method: str, user: object, desa: str) -> int:
    if not call.record:
        sees = (
            user.can(Perm.VERIFY)
            or user.can(Perm.MANAGE_PERFORMANCE)
            or bool(user.roles & {Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA})
        )
        return call.ok[method] if sees else 403
    if not in_area(user, desa):
        return 404
    sees = (
        in_area(user, desa, Perm.VERIFY)
        or in_area(user, desa, Perm.MANAGE_PERFORMANCE)
        or any(
            a.role == Role.OPERATOR_KECAMATAN and desa.startswith(a.area_id + ".")
            for a in user.active_assignments()
        )
    )
    return call.ok[method] if sees else 403


def forbidden_numbers(user: object | None, families: list) -> set[str]:
    """Full NIKs and No. KKs the user may not see: outside their identity area."""
    hidden = set()
    for family in families:
        if user is None or not can_view_identity(user, family.desa_id):
            hidden.add(family.no_kk)
            hidden |= {m.person.nik for m in family.current_memberships()}
    return hidden


def request(client: Client, call: Call, method: str, url: str, target: Target):
    if call.surface == API and method == "post":
        return client.post(url, call.data(target), content_type="application/json")
    return getattr(client, method)(url, call.data(target))


def check(client, call, method, url, target, user, hidden) -> str:
    """'' when the call answers as expected and leaks nothing, else what went wrong."""
    try:
        response = request(client, call, method, url, target)
    except Exception as exc:
        return f"raised {exc!r}"
    want = expected_status(call, method, user, target.desa)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    leaked = sorted(n for n in hidden if n in body)
    if response.status_code != want or leaked:
        return f"status {response.status_code} (want {want}), leaked {leaked}"
    return ""


@pytest.fixture(autouse=True)
def _test_transport(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path  # import batches' files
    settings.MEDIA_ROOT = tmp_path / "media"  # bimtek materials
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _targets(user: object | None, family_a, family_b, family_c) -> dict[str, Target]:
    """A record in the persona's own area and one in another area (for a user administrator:
    the area administered)."""
    families = [family_a, family_b, family_c]

    def reach(f: object) -> bool:
        return bool(user) and (
            in_area(user, f.desa_id) or in_area(user, f.desa_id, Perm.MANAGE_USERS)
        )

    own = next((f for f in families if reach(f)), family_a)
    other = next(f for f in families if f is not own and not reach(f))
    head = lambda f: f.current_memberships().get(relationship=1).person  # noqa: E731
    return {
        scope: Target(f, head(f), _staff_of(f.desa_id))
        for scope, f in (("own", own), ("other", other))
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_gets_allowed_status_and_no_hidden_identity(
    persona: str, personas, family_a, family_b
) -> None:
    user = None if persona == "anonymous" else getattr(personas, persona)
    family_c = family_with_members(OTHER_KAB_DESA, size=2)
    hidden = forbidden_numbers(user, [family_a, family_b, family_c])
    failures = []
    for name, call in MATRIX.items():
        for scope, target in _targets(user, family_a, family_b, family_c).items():
            for method in call.methods:
                client = Client()
                if user is not None:
                    client.force_login(user)
                url = reverse(name, kwargs=call.kwargs(target))
                outcome = check(client, call, method, url, target, user, hidden)
                if outcome:
                    failures.append(f"{name} {method.upper()} {scope} record: {outcome}")
    assert not failures, "\n".join(failures)
