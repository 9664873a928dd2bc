"""The review pages without a browser: the queue, a pair side by side, Sama / Beda / Tunda
and undoing a merge."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dtks.accounts.roles import Role
from dtks.audit.models import AccessEvent
from dtks.dedup.actions import find_candidates
from dtks.dedup.models import CandidatePair, Merge, PairStatus
from dtks.registry.models import Person
from tests.factories import UserFactory


@pytest.fixture
def queue(planted):
    find_candidates()
    return planted


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pair(a, b) -> CandidatePair:
    return CandidatePair.objects.get(person_l=min(a.pk, b.pk), person_r=max(a.pk, b.pk))


def test_queue_lists_pending_pairs_most_probable_first(queue, personas) -> None:
    response = _client(personas.pengelola).get(reverse("dedup:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    urls = [reverse("dedup:pair", args=[p.pk]) for p in CandidatePair.objects.queue_order()]
    assert len(urls) == 2
    assert body.index(urls[0]) < body.index(urls[1])
    assert queue.yusuf_old.id_dtks in body and queue.nur_b.id_dtks in body


def test_queue_tabs_hold_deferred_and_decided_pairs(queue, personas) -> None:
    client = _client(personas.pengelola)
    nur = _pair(queue.nur_a, queue.nur_b)
    client.post(reverse("dedup:decide", args=[nur.pk]), {"decision": "deferred"})
    pending = client.get(reverse("dedup:queue")).content.decode()
    deferred = client.get(reverse("dedup:queue"), {"tab": "deferred"}).content.decode()
    assert reverse("dedup:pair", args=[nur.pk]) not in pending
    assert reverse("dedup:pair", args=[nur.pk]) in deferred
    client.post(reverse("dedup:decide", args=[nur.pk]), {"decision": "different"})
    decided = client.get(reverse("dedup:queue"), {"tab": "decided"}).content.decode()
    assert reverse("dedup:pair", args=[nur.pk]) in decided


def test_queue_is_limited_to_the_verifiers_area(queue) -> None:
    elsewhere = UserFactory(username="pengelola_lain", roles=[(Role.PENGELOLA, "17.01")])
    body = _client(elsewhere).get(reverse("dedup:queue")).content.decode()
    assert queue.yusuf_old.id_dtks not in body
    assert 'id="pairs"' in body


def test_pair_page_shows_both_records_and_marks_differences(queue, personas) -> None:
    pair = _pair(queue.yusuf_old, queue.yusuf_new)
    with translation.override("en"):
        response = _client(personas.pengelola).get(reverse("dedup:pair", args=[pair.pk]))
    body = response.content.decode()
    assert "Muhammad Yusuf" in body and "M. Yusuf" in body
    assert queue.yusuf_old.nik in body and queue.yusuf_new.nik in body  # pengelola: full NIK
    assert 'data-differs="1"' in body
    assert 'value="same"' in body and 'value="different"' in body and 'value="deferred"' in body
    assert AccessEvent.objects.filter(
        subject_type="candidate_pair", subject_id=str(pair.pk)
    ).exists()


def test_pair_page_outside_the_area_is_404_and_without_verify_403(queue, personas) -> None:
    pair = _pair(queue.nur_a, queue.nur_b)
    url = reverse("dedup:pair", args=[pair.pk])
    elsewhere = UserFactory(username="pengelola_lain", roles=[(Role.PENGELOLA, "17.01")])
    assert _client(elsewhere).get(url).status_code == 404
    assert _client(personas.operator_a).get(url).status_code == 404  # desa B is not theirs
    assert _client(personas.pimpinan).get(url).status_code == 403


def test_same_merges_then_shows_the_next_pair_and_undo_restores(queue, personas) -> None:
    client = _client(personas.pengelola)
    nur = _pair(queue.nur_a, queue.nur_b)
    yusuf = _pair(queue.yusuf_old, queue.yusuf_new)

    response = client.post(
        reverse("dedup:decide", args=[nur.pk]), {"decision": "same", "note": "satu orang"}
    )

    assert response.status_code == 302
    assert response.url == reverse("dedup:pair", args=[yusuf.pk])  # the next pair to decide
    assert not Person.objects.get(pk=queue.nur_b.pk).is_active
    merged = client.get(reverse("dedup:pair", args=[nur.pk])).content.decode()
    assert reverse("dedup:unmerge", args=[nur.pk]) in merged
    assert 'value="same"' not in merged

    client.post(reverse("dedup:unmerge", args=[nur.pk]), {"note": "dua orang"})

    assert Person.objects.get(pk=queue.nur_b.pk).is_active
    assert not Merge.objects.get(pair=nur).in_force
    nur.refresh_from_db()
    assert nur.status == PairStatus.DIFFERENT


def test_a_refused_decision_says_why_and_changes_nothing(queue) -> None:
    tied = UserFactory(username="pengelola_kerabat", roles=[(Role.PENGELOLA, "17.09")])
    tied.nik = queue.nur_b.nik
    tied.save()
    pair = _pair(queue.nur_a, queue.nur_b)
    client = _client(tied)
    response = client.post(reverse("dedup:decide", args=[pair.pk]), {"decision": "same"})
    assert response.url == reverse("dedup:pair", args=[pair.pk])
    page = client.get(response.url)
    assert 'class="msg error"' in page.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_decisions_need_post(queue, personas) -> None:
    pair = _pair(queue.nur_a, queue.nur_b)
    client = _client(personas.pengelola)
    assert client.get(reverse("dedup:decide", args=[pair.pk])).status_code == 405
    assert client.get(reverse("dedup:unmerge", args=[pair.pk])).status_code == 405


def test_queue_page_costs_the_same_queries_for_one_or_many_rows(
    queue, personas, django_assert_max_num_queries
) -> None:
    client = _client(personas.pengelola)
    client.get(reverse("dedup:queue"))
    with django_assert_max_num_queries(12):
        client.get(reverse("dedup:queue"))
