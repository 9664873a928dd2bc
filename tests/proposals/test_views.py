"""The proposal pages, by persona: the batch page, creating each kind, the detail with the
steps the table allows, the queues, and a whole path through the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dtks.proposals.models import Proposal, Status
from dtks.proposals.workflow import actions_from
from dtks.registry.models import FamilyProgram, Person
from tests.conftest import DESA_A, DESA_B

from .conftest import PATH_TO, new_member_payload, walk

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _head(family):
    return family.memberships.get(relationship=1).person


def _child(family):
    return family.memberships.filter(relationship=3).first().person


def test_operator_sees_the_batch_of_the_month_with_before_and_after(make_proposal, personas):
    proposal = make_proposal()
    page = client_for(personas.operator_a).get(reverse("proposals:batch"), {"bulan": "2023-08"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-proposal="{proposal.pk}"' in body and 'data-status="draft"' in body
    assert "Nama Baru" in body and "<del>" in body  # before → after of the name
    assert 'data-document="berita_acara"' in body
    assert 'rel="prev"' in body and "bulan=2023-07" in body and "bulan=2023-09" in body
    assert 'data-kind="deactivate"' in body  # create buttons for the operator


def test_operator_of_another_desa_gets_404(make_proposal, personas):
    proposal = make_proposal()
    client = client_for(personas.operator_b)
    assert client.get(reverse("proposals:batch"), {"desa": DESA_A}).status_code == 404
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 404


def test_roles_without_the_step_get_403(make_proposal, personas):
    proposal = make_proposal()
    step = reverse("proposals:step", args=[proposal.pk])
    assert client_for(personas.pengesah).post(step, {"action": "verify"}).status_code == 403
    assert client_for(personas.operator_a).post(step, {"action": "verify"}).status_code == 403
    edit = reverse("proposals:edit", args=[proposal.pk])
    assert client_for(personas.pengesah).get(edit).status_code == 403


def test_a_kabupaten_user_chooses_the_desa(batch, personas):
    body = client_for(personas.pengelola).get(reverse("proposals:batch"), {"bulan": "2023-08"})
    assert f'data-batch="{batch.pk}"' in body.content.decode()
    assert 'id="choose-desa"' in body.content.decode()


def _create(client, kind: str, data: dict, **query: object):
    url = reverse("proposals:create", args=[kind])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data)


def _person_fields(prefix: str = "", **values: object) -> dict:
    person = new_member_payload(**values)["person"]
    return {f"{prefix}{k}": v for k, v in person.items()}


def _family_fields(family) -> dict:
    fields = ["no_kk", "address", "dusun", "rt", "rw", "tenure", "floor_area", "floor", "wall",
              "roof", "drinking_water", "lighting"]  # fmt: skip
    values = {name: getattr(family, name) for name in fields}
    return {k: "" if v is None else v for k, v in values.items()}


def test_operator_creates_each_kind_of_proposal(personas, family_a, batch):
    client = client_for(personas.operator_a)
    head, child = _head(family_a), _child(family_a)
    family = family_a.pk
    responses = {
        "new_member": _create(
            client,
            "new_member",
            {**_person_fields(presence=1), "relationship": 3, "family": family},
        ),
        "correct_family": _create(
            client, "correct_family", {**_family_fields(family_a), "rt": "042", "family": family}
        ),
        "deactivate": _create(
            client, "deactivate", {"person": child.pk, "reason": "died", "family": family}
        ),
        "program": _create(client, "program", {"program": "pkh", "family": family}),
        "pbi_non_dtks": _create(
            client, "pbi_non_dtks", {**_person_fields(presence=1), "desa": DESA_A}
        ),
    }
    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 302)
    made = {(p.kind, p.subtype): p for p in Proposal.objects.all()}
    assert made[("new_member", "")].payload["relationship"] == 3
    assert made[("correct_family", "")].payload["family"] == {"rt": "042"}
    assert made[("deactivate", "died")].person == child
    assert made[("program", "pkh")].family == family_a
    assert made[("program", "pbi_non_dtks")].payload["person"]["name"] == "Putri Baru"
    assert all(p.status == Status.DRAFT for p in made.values())
    assert head.name != "Nama Baru"  # nothing changes in the registry yet


def test_operator_creates_a_new_family_and_a_person_correction(personas, family_a, batch):
    client = client_for(personas.operator_a)
    head = _head(family_a)
    members = {
        "members-TOTAL_FORMS": 4, "members-INITIAL_FORMS": 0,
        **_person_fields("members-0-", nik="1709014101900001", name="Kepala Baru", sex=1),
        "members-0-relationship": 1,
    }  # fmt: skip
    family = {**_family_fields(family_a), "no_kk": "1709010101230009", "desa": DESA_A}
    assert _create(client, "new_family", {**family, **members}).status_code == 302
    correction = {
        **{k: getattr(head, k) for k in ("nik", "birth_place", "sex", "marital_status")},
        "name": "Nama Benar", "birth_date": head.birth_date.isoformat(),
        "mother_name": head.mother_name, "presence": head.presence or "", "relationship": 1,
    }  # fmt: skip
    response = _create(client, "correct_person", correction, family=family_a.pk, person=head.pk)
    assert response.status_code == 302
    new_family = Proposal.objects.get(kind="new_family")
    assert new_family.payload["members"][0]["name"] == "Kepala Baru"
    assert Proposal.objects.get(kind="correct_person").payload == {"person": {"name": "Nama Benar"}}


def test_family_page_lists_its_proposals_and_links_to_propose(make_proposal, personas, family_a):
    proposal = make_proposal()
    body = (
        client_for(personas.operator_a)
        .get(reverse("registry:family_detail", args=[family_a.pk]))
        .content.decode()
    )
    assert 'id="family-proposals"' in body and f'data-proposal="{proposal.pk}"' in body
    assert f"/usulan/baru/deactivate/?family={family_a.pk}" in body
    pimpinan = (
        client_for(personas.pimpinan)
        .get(reverse("registry:family_detail", args=[family_a.pk]))
        .content.decode()
    )
    assert f'data-proposal="{proposal.pk}"' in pimpinan and "/usulan/baru/" not in pimpinan


def _buttons(body: str) -> set[str]:
    import re

    return set(re.findall(r'<button[^>]*data-step="([a-z]+)"', body))


WHO = ["operator_a", "pengelola", "pengesah", "pimpinan"]


@pytest.mark.parametrize("status", list(PATH_TO))
def test_the_step_buttons_are_the_steps_the_table_allows_the_user(make_proposal, personas, status):
    proposal = walk(make_proposal(), status, personas)
    expected = {
        "operator_a": {"submit"} & set(actions_from(status)),
        # The pengelola also edits the registry, so may submit a desa's draft too.
        "pengelola": set(actions_from(status)) - {"edit", "ratify"},
        "pengesah": {"ratify"} & set(actions_from(status)),
        "pimpinan": set(),
    }
    for name in WHO:
        page = client_for(getattr(personas, name)).get(
            reverse("proposals:detail", args=[proposal.pk])
        )
        assert page.status_code == 200
        assert _buttons(page.content.decode()) == expected[name], name


def test_the_verifier_who_verified_gets_no_ratify_and_the_proposer_no_verify(
    make_proposal, personas, verifier2
):
    """A pengelola who proposed sees no verify button; a verifier holds no ratify anyway."""
    from dtks.proposals import actions

    proposal = actions.create_proposal(
        make_proposal().batch, by=personas.pengelola, kind="program", subtype="bpnt",
        family=make_proposal().family,
    )  # fmt: skip
    proposal = actions.submit_proposal(proposal, by=personas.pengelola)
    url = reverse("proposals:detail", args=[proposal.pk])
    assert _buttons(client_for(personas.pengelola).get(url).content.decode()) == set()
    assert _buttons(client_for(verifier2).get(url).content.decode()) == {"verify", "return"}


def test_a_refused_submission_shows_the_rule_findings(batch, personas, family_a):
    from dtks.proposals import actions

    proposal = actions.create_proposal(
        batch, by=personas.operator_a, kind="deactivate", subtype="moved", person=_head(family_a)
    )
    client = client_for(personas.operator_a)
    step = reverse("proposals:step", args=[proposal.pk])
    page = client.post(step, {"action": "submit"}, follow=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT and proposal.has_errors
    assert 'id="rule-findings"' in page.content.decode()
    assert "family_head_count" in page.content.decode()


def test_batch_submit_without_berita_acara_is_refused(personas, family_a, open_windows):
    from dtks.proposals import actions
    from dtks.wilayah.models import Region

    batch = actions.open_batch(
        by=personas.operator_a, desa=Region.objects.get(code=DESA_A), year=2023, month=9
    )
    proposal = actions.create_proposal(
        batch, by=personas.operator_a, kind="program", subtype="pkh", family=family_a
    )
    client_for(personas.operator_a).post(reverse("proposals:batch_submit", args=[batch.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_queue_filters_and_returns_in_place(make_proposal, personas, family_b, open_windows):
    proposal = walk(make_proposal(), "submitted", personas)
    client = client_for(personas.pengelola)
    queue = reverse("proposals:queue")
    assert f'data-proposal="{proposal.pk}"' in client.get(queue).content.decode()
    other = client.get(queue, {"desa": DESA_B}).content.decode()
    assert f'data-proposal="{proposal.pk}"' not in other
    other_kind = client.get(queue, {"kind": "deactivate"}).content.decode()
    assert f'data-proposal="{proposal.pk}"' not in other_kind
    step = reverse("proposals:step", args=[proposal.pk])
    response = client.post(step, {"action": "return", "note": "KTP buram", "next": queue})
    assert response.status_code == 302 and response["Location"] == queue
    proposal.refresh_from_db()
    assert (proposal.status, proposal.return_note) == (Status.RETURNED, "KTP buram")
    assert client_for(personas.operator_a).get(queue).status_code == 403


def test_an_outside_next_url_is_not_followed(make_proposal, personas):
    proposal = walk(make_proposal(), "submitted", personas)
    step = reverse("proposals:step", args=[proposal.pk])
    response = client_for(personas.pengelola).post(
        step, {"action": "verify", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])


def test_happy_path_through_the_pages_changes_the_registry(
    personas, family_a, open_windows, documents_dir
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import TINY_PDF

    operator, verifier = client_for(personas.operator_a), client_for(personas.pengelola)
    child = _child(family_a)
    _create(operator, "deactivate", {"person": child.pk, "reason": "died", "family": family_a.pk})
    _create(operator, "program", {"program": "pkh", "family": family_a.pk})
    batch = Proposal.objects.first().batch  # this month's batch of desa A
    operator.post(
        reverse("proposals:document_upload"),
        {"desa": DESA_A, "bulan": f"{batch.year}-{batch.month:02d}", "kind": "berita_acara",
         "file": SimpleUploadedFile("ba.pdf", TINY_PDF)},
    )  # fmt: skip
    operator.post(reverse("proposals:batch_submit", args=[batch.pk]))
    assert set(batch.proposals.values_list("status", flat=True)) == {Status.SUBMITTED}
    for proposal in batch.proposals.all():
        verifier.post(reverse("proposals:step", args=[proposal.pk]), {"action": "verify"})
    finalise = verifier.get(reverse("proposals:finalise_list")).content.decode()
    assert finalise.count('data-step="finalise"') == 2
    for proposal in batch.proposals.all():
        verifier.post(reverse("proposals:step", args=[proposal.pk]), {"action": "finalise"})
    pengesah = client_for(personas.pengesah)
    ratify_list = reverse("proposals:ratify_list")
    assert f'data-batch="{batch.pk}"' in pengesah.get(ratify_list).content.decode()
    pengesah.post(reverse("proposals:batch_ratify", args=[batch.pk]))
    assert set(batch.proposals.values_list("status", flat=True)) == {Status.RATIFIED}
    assert Person.objects.get(pk=child.pk).inactive_reason == "died"
    assert FamilyProgram.objects.filter(family=family_a, program="pkh").exists()
    assert "data-batch" not in pengesah.get(ratify_list).content.decode()
