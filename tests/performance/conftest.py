"""Staff of the Dinas: the head (the pimpinan persona) appraises the pengelola and the pengisi
data; each has the user account of the persona of the same role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import EmployeeFactory


@dataclass
class Staff:
    head: object
    pengelola: object
    pengisi: object


@pytest.fixture
def staff(personas) -> Staff:
    head = EmployeeFactory(
        user=personas.pimpinan, jabatan="Kepala Dinas Sosial", unit="Dinas Sosial"
    )
    return Staff(
        head=head,
        pengelola=EmployeeFactory(
            user=personas.pengelola, jabatan="Pengelola DTKS", appraiser=head
        ),
        pengisi=EmployeeFactory(user=personas.pengisi, jabatan="Pengisi Data", appraiser=head),
    )
